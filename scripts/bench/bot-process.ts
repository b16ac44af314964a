/**
 * The bot alone in a process of its own, on a scaled clock shared with the benchmark, so that its
 * latency and memory are its own and not the simulators'. Started by child-bot.ts over IPC; reads
 * CONTRACT.md's variables and BENCH_CLOCK (ScaledClockSettings as JSON).
 */
import { startBot } from '../../src/bot.js';
import { ScaledClock, type ScaledClockSettings } from '../../test/support/scaled-clock.js';

/** What the benchmark asks of this process. */
export type BotProcessRequest = { type: 'memory' } | { type: 'stop' };

/** What this process answers. */
export type BotProcessMessage = { type: 'ready'; port: number } | { type: 'memory'; usage: NodeJS.MemoryUsage } | { type: 'stopped' };

const send = (message: BotProcessMessage) => process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc;

const clock = ScaledClock.from(JSON.parse(process.env['BENCH_CLOCK'] ?? '') as ScaledClockSettings);
const bot = await startBot(process.env, { clock });
send({ type: 'ready', port: bot.port });

process.on('message', (request: BotProcessRequest) => {
  if (request.type === 'memory') {
    // Twice: the first collection's finalizers free more for the second.
    gc?.();
    gc?.();
    send({ type: 'memory', usage: process.memoryUsage() });
  } else {
    void bot.stop().finally(() => {
      send({ type: 'stopped' });
      process.disconnect();
    });
  }
});
