// Runs an ONNX model in ONNX Runtime on a worker thread: InferenceSession.run() is
// synchronous in onnxruntime-node and would otherwise block the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { exactSessionOptions } from './session-options.js';
import type { DType, HostArray } from './types.js';

export interface WorkerRequest {
  onnxPath: string;
  /** One per model input, in the model's input order. */
  feeds: HostArray[];
}

export interface WorkerResponse {
  outputs?: Array<{ name: string } & HostArray>;
  error?: string;
  ms?: number;
}

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  bool: 'bool', uint8: 'uint8', int8: 'int8', uint16: 'uint16', int16: 'int16', int32: 'int32',
  int64: 'int64', uint32: 'uint32', uint64: 'uint64', float16: 'float16', float32: 'float32', float64: 'float64',
};

function typedView(dtype: DType, data: Uint8Array) {
  const copy = data.slice(); // aligned copy
  const buffer = copy.buffer;
  switch (dtype) {
    case 'bool': case 'uint8': return copy;
    case 'int8': return new Int8Array(buffer);
    case 'uint16': case 'float16': return new Uint16Array(buffer);
    case 'int16': return new Int16Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'uint32': return new Uint32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
    case 'uint64': return new BigUint64Array(buffer);
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    default: throw new Error(`ONNX Runtime for Node.js cannot take ${dtype} tensors`);
  }
}

async function run(request: WorkerRequest): Promise<WorkerResponse> {
  const session = await ort.InferenceSession.create(request.onnxPath, exactSessionOptions);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    if (request.feeds.length !== session.inputNames.length) {
      throw new Error(`the model has ${session.inputNames.length} inputs, the function ${request.feeds.length}`);
    }
    session.inputNames.forEach((name, i) => {
      const feed = request.feeds[i]!;
      const type = ORT_TYPES[feed.dtype];
      if (!type) throw new Error(`ONNX Runtime for Node.js cannot take ${feed.dtype} tensors (input ${name})`);
      feeds[name] = new ort.Tensor(type, typedView(feed.dtype, feed.data) as never, feed.shape);
    });
    const start = performance.now();
    const results = await session.run(feeds);
    const ms = performance.now() - start;
    const outputs = session.outputNames.map((name) => {
      const tensor = results[name]!;
      const data = tensor.data as ArrayBufferView;
      const dtype = (Object.entries(ORT_TYPES).find(([, t]) => t === tensor.type)?.[0] ?? tensor.type) as DType;
      return { name, dtype, shape: [...tensor.dims], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    });
    return { outputs, ms };
  } finally {
    await session.release();
  }
}

run(workerData as WorkerRequest).then(
  (response) => parentPort!.postMessage(response),
  (error: Error) => parentPort!.postMessage({ error: error.message } satisfies WorkerResponse),
);
