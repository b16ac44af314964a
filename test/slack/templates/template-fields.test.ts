import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { checkFields, itemScope, shapeOf, viewScope } from '../../../src/slack/render/template-fields.js';

const VIEW = shapeOf({
  environment: 'production',
  approvedBy: null,
  pagerduty: { status: 'opened', url: null },
  services: [{ service: 'api', alarms: [{ name: 'a', state: 'OK' }] }],
  problems: [],
});

function problems(source: string, scope = viewScope(VIEW)): string[] {
  return checkFields(Handlebars.parse(source), scope);
}

describe('checkFields', () => {
  it('accepts what the view has, however it is reached', () => {
    expect(
      problems(
        [
          '{{environment}} {{this.environment}} {{approvedBy}} {{pagerduty.url}} {{services.length}}',
          '{{#each services}}{{@index}} {{service}} {{../environment}} {{@root.pagerduty.status}}{{#each alarms}}{{name}} {{../service}}{{/each}}{{/each}}',
          '{{#with pagerduty}}{{status}}{{/with}} {{#each services as |s i|}}{{s.service}} {{i}}{{/each}} {{#each problems}}{{this}}{{/each}}',
          '{{#unless approvedBy}}{{else}}{{approvedBy}}{{/unless}} {{lookup pagerduty "status"}} {{#services}}{{service}}{{/services}}',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('names each field the view lacks, where it looked', () => {
    expect(problems('{{enviroment}} {{pagerduty.ulr}} {{#each services}}{{servce}}{{#each alarms}}{{nme}}{{/each}}{{/each}} {{#with pagerduty}}{{stat}}{{/with}}')).toEqual([
      '"enviroment" not defined in the view',
      '"ulr" not defined in pagerduty',
      '"servce" not defined in services[]',
      '"nme" not defined in alarms[]',
      '"stat" not defined in pagerduty',
    ]);
  });

  it('checks the arguments of helpers, which strict mode does not', () => {
    expect(problems('{{#if aproved}}x{{/if}}{{#unless pagerduty.link}}y{{/unless}}')).toEqual(['"aproved" not defined in the view', '"link" not defined in pagerduty']);
  });

  it('refuses what the templates cannot have', () => {
    expect(problems('{{@index}} {{../x}} {{#each environment}}{{/each}} {{environment.length}}')).toEqual([
      '@index is not available here (only inside {{#each}} or a $each item)',
      '"../x" has no parent context here (@root.… reaches the view)',
      '{{#each environment}}: environment is not a list',
      '"length" not defined in environment',
    ]);
    expect(problems('{{eq environment "production"}} {{> footer}}')).toEqual([
      'unknown helper "eq" (available: if, unless, each, with, lookup, log)',
      'partials ({{> …}}) and decorators ({{* …}}) are not available in templates',
    ]);
  });

  it('knows nothing of a field only ever null in the samples, so lets it through', () => {
    expect(problems('{{approvedBy.name}}')).toEqual([]);
  });

  it('gives a $each item its element, @index and @root, and no parent', () => {
    const scope = itemScope(viewScope(VIEW), shapeOf({ service: 'api' }), 'services[]');
    expect(problems('{{service}} {{@index}} {{@first}} {{@root.environment}}', scope)).toEqual([]);
    expect(problems('{{environment}} {{../environment}}', scope)).toEqual(['"environment" not defined in services[]', '"../environment" has no parent context here (@root.… reaches the view)']);
  });
});
