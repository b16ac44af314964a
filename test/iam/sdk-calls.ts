import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

/** The IAM service prefix of each AWS SDK client package the bot may use. */
const IAM_PREFIX: Record<string, string> = {
  ecs: 'ecs',
  rds: 'rds',
  cloudwatch: 'cloudwatch',
  ecr: 'ecr',
  'secrets-manager': 'secretsmanager',
  'cloudwatch-logs': 'logs',
};

/** One AWS operation the source sends, as `<iam prefix>:<Operation>`, and the file that sends it. */
export interface SdkCall {
  operation: string;
  file: string;
}

interface Imported {
  client: string;
  name: string;
}

/** Every AWS operation the TypeScript under `dir` sends through an `@aws-sdk/client-*` package. */
export async function sdkCallsIn(dir: string): Promise<SdkCall[]> {
  const calls: SdkCall[] = [];
  for (const file of await typeScriptFiles(dir)) {
    const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const { named, namespaces } = sdkImports(source);
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
        const callee = node.expression;
        const imported = ts.isIdentifier(callee)
          ? named.get(callee.text)
          : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && namespaces.has(callee.expression.text)
            ? { client: namespaces.get(callee.expression.text)!, name: callee.name.text }
            : undefined;
        const operation = imported && operationOf(imported, ts.isNewExpression(node));
        if (operation) calls.push({ operation, file: path.relative(path.dirname(dir), file) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

function sdkImports(source: ts.SourceFile): { named: Map<string, Imported>; namespaces: Map<string, string> } {
  const named = new Map<string, Imported>();
  const namespaces = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const client = /^@aws-sdk\/client-(.+)$/.exec(statement.moduleSpecifier.text)?.[1];
    const clause = statement.importClause;
    if (!client || !clause || clause.isTypeOnly || !clause.namedBindings) continue;
    if (ts.isNamespaceImport(clause.namedBindings)) namespaces.set(clause.namedBindings.name.text, client);
    else {
      for (const element of clause.namedBindings.elements) {
        if (!element.isTypeOnly) named.set(element.name.text, { client, name: (element.propertyName ?? element.name).text });
      }
    }
  }
  return { named, namespaces };
}

// `new XxxCommand(` and `paginateXxx(` send Xxx. Any other call of an SDK value (a waiter, say) is named as it is,
// so that it needs a model too; only the clients' constructors send nothing.
function operationOf({ client, name }: Imported, constructed: boolean): string | null {
  if (constructed && name.endsWith('Client')) return null;
  const prefix = IAM_PREFIX[client] ?? `@aws-sdk/client-${client}`;
  if (constructed && name.endsWith('Command')) return `${prefix}:${name.slice(0, -'Command'.length)}`;
  if (!constructed && name.startsWith('paginate')) return `${prefix}:${name.slice('paginate'.length)}`;
  return `${prefix}:${name}`;
}

async function typeScriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name)).sort();
}
