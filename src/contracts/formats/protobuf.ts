// Protocol Buffers: parsed by protobufjs (its .proto parser only: no code generation, imports
// not followed), compared by us with buf's breaking-change rules (see docs/change-detection.md).
import protobufjs from 'protobufjs';
import type { ContractChange, FormatComparer, Severity } from '../types.js';

interface ProtoField { name: string; id: number; type: string; label: string }
interface ProtoMessage { fields: Map<number, ProtoField>; reserved: Array<number[] | string> }
interface ProtoFile {
  package: string;
  messages: Map<string, ProtoMessage>;
  enums: Map<string, Map<string, number>>;
  methods: Map<string, { request: string; response: string }>;
  services: Set<string>;
}

type Reflected = protobufjs.ReflectionObject & { nestedArray?: protobufjs.ReflectionObject[] };

function read(text: string): ProtoFile {
  const parsed = protobufjs.parse(text, new protobufjs.Root(), { keepCase: true, alternateCommentMode: true });
  const file: ProtoFile = { package: parsed.package ?? '', messages: new Map(), enums: new Map(), methods: new Map(), services: new Set() };
  const walk = (node: Reflected, prefix: string) => {
    for (const child of node.nestedArray ?? []) {
      const name = prefix ? `${prefix}.${child.name}` : child.name;
      if (child instanceof protobufjs.Type) {
        const fields = new Map<number, ProtoField>();
        for (const f of child.fieldsArray) {
          const map = f instanceof protobufjs.MapField ? `map<${f.keyType}, ${f.type}>` : null;
          const label = f.repeated ? 'repeated' : f.required ? 'required' : f.partOf ? `oneof ${f.partOf.name}` : f.options?.proto3_optional ? 'optional' : '';
          fields.set(f.id, { name: f.name, id: f.id, type: map ?? f.type, label: map ? '' : label });
        }
        file.messages.set(name, { fields, reserved: (child.reserved ?? []) as Array<number[] | string> });
      } else if (child instanceof protobufjs.Enum) {
        file.enums.set(name, new Map(Object.entries(child.values)));
      } else if (child instanceof protobufjs.Service) {
        file.services.add(name);
        for (const m of child.methodsArray) {
          file.methods.set(`${name}.${m.name}`, {
            request: `${m.requestStream ? 'stream ' : ''}${m.requestType}`,
            response: `${m.responseStream ? 'stream ' : ''}${m.responseType}`,
          });
        }
      }
      walk(child as Reflected, name);
    }
  };
  walk(parsed.root as Reflected, '');
  return file;
}

const reservedNumber = (m: ProtoMessage, id: number) => m.reserved.some((r) => Array.isArray(r) && id >= r[0]! && id <= r[1]!);
const shownField = (f: ProtoField) => `${f.label ? `${f.label} ` : ''}${f.type} ${f.name} = ${f.id}`;

export const protobuf: FormatComparer = {
  parse: (text) => read(text),
  compare(before, after, context) {
    const a = before as ProtoFile;
    const b = after as ProtoFile;
    const changes: ContractChange[] = [];
    const add = (severity: Severity, kind: string, where: string, message: string) => {
      const change: ContractChange = { severity, kind, where, message };
      const named = where.split('.').find((part) => context.exportsNames.has(part));
      if (named) change.exportName = named;
      changes.push(change);
    };
    if (a.package !== b.package) add('breaking', 'FILE_SAME_PACKAGE', b.package || '(no package)', `package ${a.package || '(none)'} → ${b.package || '(none)'}`);
    for (const [name, old] of a.messages) {
      const now = b.messages.get(name);
      if (!now) { add('breaking', 'MESSAGE_NO_DELETE', name, `message ${name} removed`); continue; }
      const newByName = new Map([...now.fields.values()].map((f) => [f.name, f]));
      const oldByName = new Map([...old.fields.values()].map((f) => [f.name, f]));
      for (const [id, f] of old.fields) {
        const g = now.fields.get(id);
        const where = `${name}.${f.name}`;
        if (!g) {
          const moved = newByName.get(f.name);
          if (moved) add('breaking', 'FIELD_NO_DELETE', where, `${name}.${f.name} renumbered ${f.id} → ${moved.id}`);
          else if (reservedNumber(now, id)) add('dangerous', 'FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED', where, `${name}: -${f.name} (number ${id} reserved)`);
          else add('breaking', 'FIELD_NO_DELETE', where, `${name}: -${f.name} = ${id}`);
          continue;
        }
        if (f.type !== g.type) add('breaking', 'FIELD_SAME_TYPE', where, `${name}.${f.name}: ${f.type} → ${g.type}`);
        if (f.label !== g.label) add('breaking', 'FIELD_SAME_CARDINALITY', where, `${name}.${f.name}: ${f.label || 'singular'} → ${g.label || 'singular'}`);
        if (f.name !== g.name) add('breaking', 'FIELD_SAME_NAME', `${name}.${g.name}`, `${name}: field ${id} renamed ${f.name} → ${g.name}`);
      }
      for (const [id, g] of now.fields) {
        if (old.fields.has(id)) continue;
        const was = oldByName.get(g.name);
        if (was && !now.fields.has(was.id)) continue; // reported as renumbered
        add('safe', 'FIELD_ADDED', `${name}.${g.name}`, `${name}: +${shownField(g)}`);
      }
    }
    for (const name of b.messages.keys()) if (!a.messages.has(name)) add('safe', 'MESSAGE_ADDED', name, `message ${name} added`);
    for (const [name, old] of a.enums) {
      const now = b.enums.get(name);
      if (!now) { add('breaking', 'ENUM_NO_DELETE', name, `enum ${name} removed`); continue; }
      for (const [value, n] of old) {
        if (!now.has(value)) add('breaking', 'ENUM_VALUE_NO_DELETE', `${name}.${value}`, `${name}: -${value}`);
        else if (now.get(value) !== n) add('breaking', 'ENUM_VALUE_SAME_NUMBER', `${name}.${value}`, `${name}.${value}: ${n} → ${now.get(value)}`);
      }
      for (const value of now.keys()) if (!old.has(value)) add('dangerous', 'ENUM_VALUE_ADDED', `${name}.${value}`, `${name}: +${value}`);
    }
    for (const name of b.enums.keys()) if (!a.enums.has(name)) add('safe', 'ENUM_ADDED', name, `enum ${name} added`);
    for (const name of a.services) if (!b.services.has(name)) add('breaking', 'SERVICE_NO_DELETE', name, `service ${name} removed`);
    for (const [name, old] of a.methods) {
      const now = b.methods.get(name);
      const service = name.slice(0, name.lastIndexOf('.'));
      if (!now) { if (b.services.has(service)) add('breaking', 'RPC_NO_DELETE', name, `rpc ${name} removed`); continue; }
      if (old.request !== now.request) add('breaking', 'RPC_SAME_REQUEST_TYPE', name, `rpc ${name} request ${old.request} → ${now.request}`);
      if (old.response !== now.response) add('breaking', 'RPC_SAME_RESPONSE_TYPE', name, `rpc ${name} response ${old.response} → ${now.response}`);
    }
    for (const name of b.methods.keys()) if (!a.methods.has(name)) add('safe', 'RPC_ADDED', name, `rpc ${name} added`);
    for (const name of b.services) if (!a.services.has(name)) add('safe', 'SERVICE_ADDED', name, `service ${name} added`);
    return changes;
  },
};
