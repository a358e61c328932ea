/**
 * Renders TypeDoc's JSON model of trit-web (api.json) as one Markdown page, docs/api/README.md: small enough to
 * commit and read on any Git host, unlike TypeDoc's HTML site (about 0.7 MB). Run by npm run docs:api.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface Part { kind: string; text: string; tag?: string }
interface Comment { summary?: Part[]; blockTags?: Array<{ tag: string; content: Part[] }> }
interface Type {
  type: string;
  name?: string;
  value?: unknown;
  target?: unknown;
  typeArguments?: Type[];
  types?: Type[];
  elementType?: Type;
  elements?: Type[];
  declaration?: Node;
  queryType?: Type;
  objectType?: Type;
  indexType?: Type;
  operator?: string;
  head?: string;
  tail?: Array<[Type, string]>;
}
interface Node {
  id: number;
  name: string;
  kind: number;
  flags: { isOptional?: boolean; isReadonly?: boolean; isRest?: boolean };
  defaultValue?: string;
  comment?: Comment;
  children?: Node[];
  signatures?: Signature[];
  getSignature?: Signature;
  type?: Type;
  extendedTypes?: Type[];
}
interface Signature { name: string; comment?: Comment; parameters?: Node[]; type?: Type }

const KIND = { function: 64, class: 128, interface: 256, typeAlias: 2097152, property: 1024, method: 2048, accessor: 262144, constructor: 512 };
const here = import.meta.dirname;
const project = JSON.parse(readFileSync(resolve(here, 'api.json'), 'utf8')) as Node;
const topLevel = new Map((project.children ?? []).map((c) => [c.id, c.name]));

const anchor = (name: string) => `#${name.toLowerCase()}`;
const text = (parts: Part[] = []) => parts.map((p) => (p.kind === 'inline-tag' ? `\`${p.text}\`` : p.text)).join('').trim();
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

function typeText(t: Type | undefined, link = false): string {
  if (!t) return 'void';
  const inner = (x: Type) => typeText(x, link);
  switch (t.type) {
    case 'intrinsic': return t.name!;
    case 'literal': return t.value === null ? 'null' : JSON.stringify(t.value);
    case 'reference': {
      const args = t.typeArguments?.length ? `<${t.typeArguments.map(inner).join(', ')}>` : '';
      const own = typeof t.target === 'number' && topLevel.has(t.target);
      return (link && own ? `[${t.name}](${anchor(t.name!)})` : t.name!) + args;
    }
    case 'union': return t.types!.map(inner).join(' | ');
    case 'intersection': return t.types!.map(inner).join(' & ');
    case 'array': return `${['union', 'intersection'].includes(t.elementType!.type) ? `(${inner(t.elementType!)})` : inner(t.elementType!)}[]`;
    case 'tuple': return `[${(t.elements ?? []).map(inner).join(', ')}]`;
    case 'query': return `typeof ${inner(t.queryType!)}`;
    case 'indexedAccess': return `${inner(t.objectType!)}[${inner(t.indexType!)}]`;
    case 'typeOperator': return `${t.operator} ${inner(t.target as Type)}`;
    case 'templateLiteral': return `\`${t.head}${(t.tail ?? []).map(([x, s]) => `\${${inner(x)}}${s}`).join('')}\``;
    case 'reflection': {
      const d = t.declaration!;
      if (d.signatures?.length) return d.signatures.map((s) => signatureText(s, link, true)).join(' | ');
      return `{ ${(d.children ?? []).map((c) => `${c.name}${c.flags.isOptional ? '?' : ''}: ${inner(c.type!)}`).join('; ')} }`;
    }
    default: return t.name ?? t.type;
  }
}

function signatureText(s: Signature, link = false, arrow = false): string {
  const params = (s.parameters ?? []).map((p) => `${p.flags.isRest ? '...' : ''}${p.name}${p.flags.isOptional || p.defaultValue !== undefined ? '?' : ''}: ${typeText(p.type, link)}`);
  return arrow ? `(${params.join(', ')}) => ${typeText(s.type, link)}` : `(${params.join(', ')}): ${typeText(s.type, link)}`;
}

function describe(c: Comment | undefined): string {
  const summary = text(c?.summary);
  const tags = (c?.blockTags ?? []).map((b) => `**${b.tag[1].toUpperCase()}${b.tag.slice(2)}**\n\n${text(b.content)}`);
  return [summary, ...tags].filter(Boolean).join('\n\n');
}

function memberRows(node: Node): string[] {
  const rows: string[] = [];
  for (const m of node.children ?? []) {
    const sig = m.signatures?.[0] ?? m.getSignature;
    let type: string;
    if (m.kind === KIND.method || m.kind === KIND.constructor) type = (m.signatures ?? []).map((s) => `${m.name}${signatureText(s, true)}`).join('<br>');
    else if (m.kind === KIND.accessor) type = typeText(m.getSignature?.type, true);
    else type = typeText(m.type, true);
    const flags = [m.flags.isReadonly ? 'readonly' : '', m.flags.isOptional ? 'optional' : ''].filter(Boolean).join(', ');
    rows.push(`| \`${m.name}\`${flags ? ` (${flags})` : ''} | ${oneLine(type)} | ${oneLine(describe(m.comment ?? sig?.comment))} |`);
  }
  return rows;
}

function section(title: string, kind: number, render: (n: Node) => string[]): string[] {
  const nodes = (project.children ?? []).filter((c) => c.kind === kind);
  if (!nodes.length) return [];
  return [`## ${title}`, '', ...nodes.flatMap((n) => [`### ${n.name}`, '', ...render(n), ''])];
}

const table = (n: Node) => {
  const rows = memberRows(n);
  const ext = n.extendedTypes?.length ? [`Extends ${n.extendedTypes.map((t) => typeText(t, true)).join(', ')}.`, ''] : [];
  return [describe(n.comment), '', ...ext, ...(rows.length ? ['| Member | Type | Description |', '|---|---|---|', ...rows] : [])];
};

const lines = [
  '# trit-web API',
  '',
  '<!-- Generated by `npm run docs:api` (TypeDoc, then docs/api/to-markdown.ts) from src/lib/sdk/index.ts. Do not edit. -->',
  '',
  describe(project.comment),
  '',
  ...section('Functions', KIND.function, (n) => n.signatures!.flatMap((s) => ['```ts', `function ${n.name}${signatureText(s)}`, '```', '', describe(s.comment)])),
  ...section('Classes', KIND.class, table),
  ...section('Interfaces', KIND.interface, table),
  ...section('Types', KIND.typeAlias, (n) => [describe(n.comment), '', '```ts', `type ${n.name} = ${typeText(n.type)}`, '```']),
];
writeFileSync(resolve(here, 'README.md'), lines.join('\n').replace(/\n{3,}/g, '\n\n'));
