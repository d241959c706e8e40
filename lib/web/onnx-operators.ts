// The operators an ONNX file uses, read straight from its protobuf: each node's op type and
// domain (subgraphs of If/Loop/Scan included) with the opset the model imports for that
// domain. Only the fields needed are decoded; weights are skipped by length.
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

// Field numbers of onnx.proto3.
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const GRAPH_NODE = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
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

/** Counts `domain\0opType` of every node of a graph and of the graphs in its attributes. */
function countGraph(bytes: Uint8Array, start: number, end: number, counts: Map<string, number>): void {
  for (const f of new Reader(bytes, start, end).fields()) {
    if (f.field !== GRAPH_NODE || f.wire !== 2) continue;
    let opType = '';
    let domain = '';
    for (const n of new Reader(bytes, f.start, f.end).fields()) {
      if (n.wire !== 2) continue;
      if (n.field === NODE_OP_TYPE) opType = decoder.decode(bytes.subarray(n.start, n.end));
      else if (n.field === NODE_DOMAIN) domain = decoder.decode(bytes.subarray(n.start, n.end));
      else if (n.field === NODE_ATTRIBUTE) {
        for (const a of new Reader(bytes, n.start, n.end).fields()) {
          if (a.wire === 2 && (a.field === ATTRIBUTE_GRAPH || a.field === ATTRIBUTE_GRAPHS)) countGraph(bytes, a.start, a.end, counts);
        }
      }
    }
    const key = `${domain || 'ai.onnx'}\0${opType}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
}

/** The operators of the ONNX model in `file`, sorted by domain and op type. */
export function readOperators(file: string): OperatorUse[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new MlxOnnxError('ERR_IO', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const counts = new Map<string, number>();
    const opsets = new Map<string, number>();
    for (const f of new Reader(bytes, 0, bytes.length).fields()) {
      if (f.wire !== 2) continue;
      if (f.field === MODEL_GRAPH) countGraph(bytes, f.start, f.end, counts);
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
    return [...counts].map(([key, count]) => {
      const [domain, opType] = key.split('\0') as [string, string];
      return { domain, opType, opset: opsets.get(domain) ?? 0, count };
    }).sort((a, b) => a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType));
  } catch (error) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `${file} is not a readable ONNX model: ${(error as Error).message}`, { cause: error });
  }
}
