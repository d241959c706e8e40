// The operators an ONNX file uses, read straight from its protobuf: each node's op type and
// domain (subgraphs of If/Loop/Scan included) with the opset the model imports for that
// domain, and the element types its tensors take. Only the fields needed are decoded;
// weights are skipped by length.
import { readFileSync } from 'node:fs';
import { MlxOnnxError } from '../errors.js';

/** One operator of a model: how often it occurs and at which opset of its domain. */
export interface OperatorUse {
  /** 'ai.onnx' for the default domain. */
  domain: string;
  opType: string;
  /** The version the model imports for the domain. */
  opset: number;
  count: number;
}

/** One node of the main graph, with what its element types depend on. */
export interface NodeUse {
  domain: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Cast's target type, or a Constant's value type. */
  type?: number;
}

/** What an ONNX model uses: its operators, and its tensors' element types (TensorProto.DataType). */
export interface ModelUse {
  operators: OperatorUse[];
  /** Of inputs, outputs, initializers, Constant values and Cast targets. */
  elementTypes: number[];
  /** The main graph's nodes in order. */
  nodes: NodeUse[];
  /** Element types of the main graph's inputs and initializers, by name. */
  known: Record<string, number>;
  /** The names of the main graph's inputs. */
  inputs: string[];
}

// Field numbers of onnx.proto3.
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_I = 3;
const ATTRIBUTE_T = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_ELEM_TYPE = 1;
const OPSET_DOMAIN = 1;
const OPSET_VERSION = 2;

type Field = { field: number; wire: number; value: number; start: number; end: number };

class Reader {
  constructor(private readonly bytes: Uint8Array, private pos: number, private readonly end: number) {}

  private varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  /** The fields of this message in order; length-delimited ones as [start, end). */
  *fields(): Generator<Field> {
    while (this.pos < this.end) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      const start = this.pos;
      if (wire === 0) yield { field, wire, value: this.varint(), start, end: this.pos };
      else if (wire === 1 || wire === 5) {
        this.pos += wire === 1 ? 8 : 4;
        yield { field, wire, value: 0, start, end: this.pos };
      } else if (wire === 2) {
        const length = this.varint();
        const from = this.pos;
        this.pos += length;
        if (this.pos > this.end) throw new Error(`field ${field} runs past its message`);
        yield { field, wire, value: length, start: from, end: this.pos };
      } else throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

const decoder = new TextDecoder();

/** The string field `field` of a message, or ''. */
function stringField(bytes: Uint8Array, start: number, end: number, field: number): string {
  const at = messageField(bytes, start, end, field);
  return at ? decoder.decode(bytes.subarray(at[0], at[1])) : '';
}

/** The varint field `field` of a message, or undefined. */
function varintField(bytes: Uint8Array, start: number, end: number, field: number): number | undefined {
  for (const f of new Reader(bytes, start, end).fields()) {
    if (f.field === field && f.wire === 0) return f.value;
  }
  return undefined;
}

/** The message field `field` of a message, as [start, end), or undefined. */
function messageField(bytes: Uint8Array, start: number, end: number, field: number): [number, number] | undefined {
  for (const f of new Reader(bytes, start, end).fields()) {
    if (f.field === field && f.wire === 2) return [f.start, f.end];
  }
  return undefined;
}

/** The element type of a ValueInfoProto's tensor type. */
function valueInfoType(bytes: Uint8Array, start: number, end: number): number | undefined {
  const type = messageField(bytes, start, end, VALUE_INFO_TYPE);
  const tensor = type && messageField(bytes, type[0], type[1], TYPE_TENSOR);
  return tensor && varintField(bytes, tensor[0], tensor[1], TENSOR_TYPE_ELEM_TYPE);
}

/**
 * Counts `domain\0opType` of every node of a graph and of the graphs in its attributes, and
 * notes the element types of its inputs, outputs, initializers, Constant values and Casts.
 */
function readGraph(bytes: Uint8Array, start: number, end: number, counts: Map<string, number>, types: Set<number>, main?: Pick<ModelUse, 'nodes' | 'known' | 'inputs'>): void {
  const note = (type: number | undefined) => type !== undefined && types.add(type);
  for (const f of new Reader(bytes, start, end).fields()) {
    if (f.wire !== 2) continue;
    if (f.field === GRAPH_INITIALIZER || f.field === GRAPH_INPUT || f.field === GRAPH_OUTPUT) {
      const initializer = f.field === GRAPH_INITIALIZER;
      const type = initializer ? varintField(bytes, f.start, f.end, TENSOR_DATA_TYPE) : valueInfoType(bytes, f.start, f.end);
      note(type);
      if (main && f.field !== GRAPH_OUTPUT) {
        const name = stringField(bytes, f.start, f.end, initializer ? TENSOR_NAME : VALUE_INFO_NAME);
        if (type !== undefined) main.known[name] = type;
        if (!initializer) main.inputs.push(name);
      }
    }
    if (f.field !== GRAPH_NODE) continue;
    const node: NodeUse = { domain: '', opType: '', inputs: [], outputs: [] };
    const attributes: Array<[number, number]> = [];
    for (const n of new Reader(bytes, f.start, f.end).fields()) {
      if (n.wire !== 2) continue;
      const text = () => decoder.decode(bytes.subarray(n.start, n.end));
      if (n.field === NODE_OP_TYPE) node.opType = text();
      else if (n.field === NODE_DOMAIN) node.domain = text();
      else if (n.field === NODE_INPUT) node.inputs.push(text());
      else if (n.field === NODE_OUTPUT) node.outputs.push(text());
      else if (n.field === NODE_ATTRIBUTE) attributes.push([n.start, n.end]);
    }
    for (const [from, to] of attributes) {
      let name = '';
      let value: number | undefined;
      for (const a of new Reader(bytes, from, to).fields()) {
        if (a.field === ATTRIBUTE_NAME && a.wire === 2) name = decoder.decode(bytes.subarray(a.start, a.end));
        else if (a.field === ATTRIBUTE_I && a.wire === 0) value = a.value;
        else if (a.field === ATTRIBUTE_T && a.wire === 2) note(node.type = varintField(bytes, a.start, a.end, TENSOR_DATA_TYPE));
        else if (a.wire === 2 && (a.field === ATTRIBUTE_GRAPH || a.field === ATTRIBUTE_GRAPHS)) readGraph(bytes, a.start, a.end, counts, types);
      }
      if (node.opType === 'Cast' && !node.domain && name === 'to') note(node.type = value);
    }
    main?.nodes.push(node);
    const key = `${node.domain || 'ai.onnx'}\0${node.opType}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
}

/** The operators of the ONNX model in `file`, sorted by domain and op type. */
export function readOperators(file: string): OperatorUse[] {
  return readModelUse(file).operators;
}

/** The operators and element types of the ONNX model in `file`. */
export function readModelUse(file: string): ModelUse {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new MlxOnnxError('ERR_IO', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const counts = new Map<string, number>();
    const types = new Set<number>();
    const main: Pick<ModelUse, 'nodes' | 'known' | 'inputs'> = { nodes: [], known: {}, inputs: [] };
    const opsets = new Map<string, number>();
    for (const f of new Reader(bytes, 0, bytes.length).fields()) {
      if (f.wire !== 2) continue;
      if (f.field === MODEL_GRAPH) readGraph(bytes, f.start, f.end, counts, types, main);
      else if (f.field === MODEL_OPSET_IMPORT) {
        let domain = '';
        let version = 0;
        for (const o of new Reader(bytes, f.start, f.end).fields()) {
          if (o.field === OPSET_DOMAIN && o.wire === 2) domain = decoder.decode(bytes.subarray(o.start, o.end));
          else if (o.field === OPSET_VERSION && o.wire === 0) version = o.value;
        }
        opsets.set(domain || 'ai.onnx', version);
      }
    }
    const operators = [...counts].map(([key, count]) => {
      const [domain, opType] = key.split('\0') as [string, string];
      return { domain, opType, opset: opsets.get(domain) ?? 0, count };
    }).sort((a, b) => a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType));
    return { operators, elementTypes: [...types].sort((a, b) => a - b), ...main };
  } catch (error) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `${file} is not a readable ONNX model: ${(error as Error).message}`, { cause: error });
  }
}
