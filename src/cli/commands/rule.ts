// rule add | remove
import type { CAC } from 'cac';
import { PRIORITIES } from '../../core/types.js';
import type { NewRule } from '../../topology/edit.js';
import { CliError, listOption, optionalString, requiredOption, type CliContext } from '../context.js';
import { describeRule } from './group.js';
import { applyEdit, editing, shortSha } from './shared.js';

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('rule add <group>', 'Add a communication rule (the same when/from/notify replaces the old one)')
    .option('--when <type>', 'Change type: schema_change, api_endpoint_change, type_definition_change, config_change, dependency_update, breaking_change, any_change')
    .option('--from <roles>', '"*" or comma-separated roles whose changes the rule covers', { default: '*' })
    .option('--notify <targets>', 'all, dependents, or comma-separated roles')
    .option('--priority <priority>', PRIORITIES.join(', '), { default: 'normal' })
    .option('--uncommitted', 'Also announce uncommitted working-tree changes of this type')
    .example((bin) => `  $ ${bin} rule add my-platform --when schema_change --from "*" --notify dependents --priority high`)
    .action(async (group: string, options: Record<string, unknown>) => {
      const rule = ruleFromOptions(options, group, ctx.bin);
      const { addRule } = await editing();
      const result = await applyEdit(ctx, `rule add ${group} ${describeRule(rule)}`, (text) => addRule(text, group, rule), group);
      ctx.out(
        { group, rule, added: result.changed, commit: result.sha },
        result.changed ? `Added rule to ${group}: ${describeRule(rule)} (${shortSha(result.sha)})` : `${group} already has that rule: nothing to change`,
      );
    });

  cli
    .command('rule remove <group>', 'Remove the rules for a change type (narrowed by --from and --notify when given)')
    .option('--when <type>', 'Change type of the rules to remove')
    .option('--from <roles>', 'Only the rule with this "*" or role list')
    .option('--notify <targets>', 'Only the rule with these targets')
    .example((bin) => `  $ ${bin} rule remove my-platform --when config_change`)
    .action(async (group: string, options: Record<string, unknown>) => {
      const when = requiredOption(options.when, '--when <type>', `e.g. ${ctx.bin} rule remove ${group} --when config_change`);
      const from = options.from === undefined ? undefined : ruleFromOptions({ when, from: options.from, notify: 'all' }, group, ctx.bin).from;
      const notify = options.notify === undefined ? undefined : ruleFromOptions({ when, notify: options.notify }, group, ctx.bin).notify;
      const { removeRule } = await editing();
      const match = { when, ...(from !== undefined ? { from } : {}), ...(notify !== undefined ? { notify } : {}) };
      const result = await applyEdit(ctx, `rule remove ${group} ${when}`, (text) => removeRule(text, group, match), group);
      ctx.out({ group, removed: match, commit: result.sha }, `Removed ${when} rule(s) from ${group} (${shortSha(result.sha)})`);
    });
}

export function ruleFromOptions(options: Record<string, unknown>, group: string, bin: string): NewRule & { priority: string } {
  const when = requiredOption(options.when, '--when <type>', `e.g. ${bin} rule add ${group} --when schema_change --notify dependents`);
  const fromList = listOption(options.from);
  const from: NewRule['from'] = fromList.length === 0 || fromList.includes('*') ? '*' : fromList;
  if (fromList.includes('*') && fromList.length > 1) throw new CliError('--from is either "*" or a list of roles', 'not both');
  const notifyList = listOption(requiredOption(options.notify, '--notify <all|dependents|roles>', 'all, dependents, or comma-separated roles'));
  let notify: NewRule['notify'] = notifyList;
  if (notifyList.length === 1 && (notifyList[0] === 'all' || notifyList[0] === 'dependents')) notify = notifyList[0];
  else if (notifyList.includes('all') || notifyList.includes('dependents')) {
    throw new CliError('--notify is all, dependents, or a list of roles', 'not a mix of them');
  }
  const rule: NewRule & { priority: string } = { when, from, notify, priority: optionalString(options.priority) ?? 'normal' };
  if (options.uncommitted === true) rule.uncommitted = true;
  return rule;
}
