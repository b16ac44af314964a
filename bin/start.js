// `npm start`: the bot, from source in a checkout or from dist/ in production (see launch.js).
import { launch } from './launch.js';

await launch('main');
