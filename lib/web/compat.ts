// Which operators onnxruntime-web 1.30 runs, and where, for its three ways to run a model:
// - WebGPU, native: `ort.webgpu.min.mjs`, ONNX Runtime's C++ WebGPU execution provider
//   compiled to WASM; its table was measured on the shipped binary (see NATIVE).
// - WebGPU, JSEP: `ort.min.mjs`, the package's default import, kernels in JavaScript: the
//   table of onnxruntime-web 1.30.0's docs/webgpu-operators.md (ai.onnx and com.microsoft),
//   its open ranges ended where a newer schema measured on the binary falls back.
// - WebAssembly: ONNX Runtime's CPU execution provider compiled to WASM, so the CPU
//   kernels of ONNX Runtime's docs/OperatorKernels.md (ai.onnx and com.microsoft).
// A node outside a WebGPU table runs on the CPU (WASM) instead, which costs copies between
// GPU and CPU. A node at opset V is covered when V lies in one of its operator's ranges
// (ONNX Runtime's since-versions of the schema). Of data types, float64 (the native bundle
// cannot load a model with any) and JSEP's 4-bit DequantizeLinear are checked; nodes that
// ONNX Runtime folds into constants at load are left out; ONNX function operators that it
// would expand are not followed.
import type { WebCompatibility, WebGpuCompatibility } from '../types.js';
import { type ModelUse, type NodeUse, type OperatorUse, readModelUse } from './onnx-operators.js';

type Graph = Pick<ModelUse, 'nodes' | 'known' | 'inputs'>;

type Table = Record<string, Record<string, string>>;

const JSEP: Table = {
  'ai.onnx': {
    Abs: '6-12,13+', Acos: '7-21', Acosh: '9-21', Add: '7-12,13,14+', ArgMax: '1-10,11-12,13+', ArgMin: '1-10,11-12,13+',
    Asin: '7-21', Asinh: '9-21', Atan: '7-21', Atanh: '9-21', AveragePool: '7-9,10,11-18,19-21', BatchNormalization: '7-8,9-13,14,15+',
    Cast: '6-8,9-12,13-18,19-20,21-22', Ceil: '6-12,13+', Clip: '6-10,11,12,13+', Concat: '1-3,4-10,11-12,13+', Conv: '1-10,11-21',
    ConvTranspose: '1-10,11-21', Cos: '7-21', Cosh: '9-21', CumSum: '11-13,14+', DFT: '17-19,20+', DepthToSpace: '11-12,13+',
    DequantizeLinear: '10-12,13-18,19-20,21-22', Div: '7-12,13,14+', Einsum: '12+', Elu: '6-21', Equal: '7-10,11-12,13-18,19+',
    Erf: '9-12,13+', Exp: '6-12,13+', Expand: '8-12,13+', Flatten: '1-8,9-10,11-12,13-20,21-22', Floor: '6-12,13+',
    Gather: '1-10,11-12,13+', GatherElements: '11-12,13+', GatherND: '11,12,13+', Gelu: '20+', Gemm: '7-8,9-10,11-12,13+',
    GlobalAveragePool: '1-21', GlobalMaxPool: '1-21', Greater: '7-8,9-12,13+', GreaterOrEqual: '12-15,16+', GridSample: '16-19',
    HardSigmoid: '6-21', HardSwish: '14-21', If: '1-10,11-12,13-18,19-20,21-22', InstanceNormalization: '6-21',
    LayerNormalization: '1-16,17+', LeakyRelu: '6-15,16+', Less: '7-8,9-12,13+', LessOrEqual: '12-15,16+', Log: '6-12,13+',
    MatMul: '1-12,13+', MaxPool: '1-7,8-9,10,11,12-21', Mul: '7-12,13,14+', Neg: '6-12,13+', Not: '1+',
    Pad: '2-10,11-12,13-17,18,19-20,21-22', Pow: '7-11,12,13-14,15+', Range: '11+', Reciprocal: '6-12,13+',
    ReduceL1: '1-10,11-12,13-17,18+', ReduceL2: '1-10,11-12,13-17,18+', ReduceLogSum: '1-10,11-12,13-17,18+',
    ReduceLogSumExp: '1-10,11-12,13-17,18+', ReduceMax: '1-10,11,12,13-17,18-19,20+', ReduceMean: '1-10,11-12,13-17,18+',
    ReduceMin: '1-10,11,12,13-17,18-19,20+', ReduceProd: '1-10,11-12,13-17,18+', ReduceSum: '1-10,11-12,13+',
    ReduceSumSquare: '1-10,11-12,13-17,18+', Relu: '6-12,13,14+', Reshape: '5-12,13,14-18,19-20,21-22',
    Resize: '10,11-12,13-17,18,19+', ScatterND: '11-12,13-15,16-17,18+', Shape: '1-12,13-14,15-18,19-20,21-22',
    Sigmoid: '6-12,13+', SimplifiedLayerNormalization: '1+', Sin: '7-21', Sinh: '9-21', Slice: '1-9,10,11-12,13+',
    Softmax: '1-10,11-12,13+', Split: '1,2-10,11-12,13-17,18+', Sqrt: '6-12,13+', Squeeze: '1-10,11-12,13-20,21-22',
    Sub: '7-12,13,14+', Tan: '7-21', Tanh: '6-12,13+', ThresholdedRelu: '10-21', Tile: '6-12,13+', Transpose: '1-12,13-20,21-22',
    Unsqueeze: '1-10,11-12,13-20,21-22', Where: '9-15,16+',
  },
  'com.microsoft': {
    Attention: '1+', BiasAdd: '1+', BiasSplitGelu: '1+', FastGelu: '1+', FusedConv: '1+', GatherBlockQuantized: '1+',
    Gelu: '1+', GroupQueryAttention: '1+', MatMulNBits: '1+', MultiHeadAttention: '1+', QuickGelu: '1+',
    RotaryEmbedding: '1+', SkipLayerNormalization: '1+', SkipSimplifiedLayerNormalization: '1+',
  },
};

// Measured on onnxruntime-web 1.30.0's ort.webgpu.min.mjs (its asyncify .wasm): single-node
// models of every operator (ONNX's backend-test nodes and probes) at opsets 1-26, read from
// ONNX Runtime's node placement log. One range per schema version with a WebGPU kernel: an
// open kernel 'n+' serves only schema version n, so a newer schema falls back (Cos at 22).
const NATIVE: Table = {
  'ai.onnx': {
    Abs: '6-12,13+', Acos: '7-21', Acosh: '9-21', Add: '7-12,13,14+', And: '7+', ArgMax: '1-10,11,12,13+',
    ArgMin: '1-10,11,12,13+', Asin: '7-21', Asinh: '9-21', Atan: '7-21', Atanh: '9-21',
    AveragePool: '7-9,10,11-18,19-21,22+', BatchNormalization: '7-8,9-13,14,15+',
    Cast: '6-8,9-12,13-18,19-20,21-22,23,24,25+', Ceil: '6-12,13+', Clip: '11,12,13+', Concat: '1-3,4-10,11-12,13+',
    Conv: '1-10,11-21,22+', ConvTranspose: '1-10,11-21', Cos: '7-21', Cosh: '9-21', CumSum: '11-13,14+',
    DFT: '17-19,20+', DepthToSpace: '11-12,13+', DequantizeLinear: '10-12,13-18,19-20,21-22,23', Div: '7-12,13,14+',
    Einsum: '12+', Elu: '6-21', Equal: '7-10,11-12,13-18,19+', Erf: '9-12,13+', Exp: '6-12,13+', Expand: '8-12,13+',
    Flatten: '1-8,9-10,11-12,13-20,21-22', Floor: '6-12,13+', GRU: '7-13,14-21', Gather: '1-10,11-12,13+',
    GatherElements: '11-12,13+', GatherND: '11,12,13+', Gelu: '20+', Gemm: '7-8,9-10,11-12,13+',
    GlobalAveragePool: '1-21', GlobalMaxPool: '1-21', Greater: '7-8,9-12,13+', GreaterOrEqual: '12-15,16+',
    GridSample: '16-19', HardSigmoid: '6-21', HardSwish: '14-21', Identity: '1-12,13,14-15,16-18,19-20,21-22,23,24,25+',
    If: '1-10,11-12,13-15,16-18,19-20,21-22', InstanceNormalization: '1-5,6-21,22+', LSTM: '7-13,14-21',
    LayerNormalization: '1-16,17+', LeakyRelu: '6-15,16+', Less: '7-8,9-12,13+', LessOrEqual: '12-15,16+',
    Log: '6-12,13+', LpNormalization: '1-21,22+', MatMul: '1-8,9-12,13+', Max: '8-11,12,13+',
    MaxPool: '1-7,8-9,10,11,12-21', Min: '8-11,12,13+', Mul: '7-12,13,14+', Neg: '6-12,13+', Not: '1+',
    PRelu: '7-8,9-15,16+', Pad: '2-10,11-12,13-17,18,19-20,21-22,23', Pow: '7-11,12,13-14,15+', RMSNormalization: '23+',
    Range: '11+', Reciprocal: '6-12,13+', ReduceL1: '1-10,11-12,13-17,18+', ReduceL2: '1-10,11-12,13-17,18+',
    ReduceLogSum: '1-10,11-12,13-17,18+', ReduceLogSumExp: '1-10,11-12,13-17,18+',
    ReduceMax: '1-10,11,12,13-17,18-19,20+', ReduceMean: '1-10,11-12,13-17,18+',
    ReduceMin: '1-10,11,12,13-17,18-19,20+', ReduceProd: '1-10,11-12,13-17,18+', ReduceSum: '1-10,11-12,13+',
    ReduceSumSquare: '1-10,11-12,13-17,18+', Relu: '6-12,13,14+', Reshape: '5-12,13,14-18,19-20,21-22,23,24,25+',
    Resize: '10,11-12,13-17,18,19+', RotaryEmbedding: '23+', ScatterElements: '11-12,13-15,16-17,18+',
    ScatterND: '11-12,13-15,16-17,18+', Shape: '1-12,13-14,15-18,19-20,21-22,23,24', Sigmoid: '6-12,13+',
    SimplifiedLayerNormalization: '1+', Sin: '7-21', Sinh: '9-21', Slice: '1-9,10,11-12,13+', Softmax: '1-10,11-12,13+',
    Softplus: '1-21,22+', Split: '1,2-10,11-12,13-17,18+', Sqrt: '6-12,13+', Squeeze: '1-10,11-12,13-20,21-22,23,24',
    Sub: '7-12,13,14+', Tan: '7-21', Tanh: '6-12,13+', ThresholdedRelu: '10-21', Tile: '6-12,13+',
    TopK: '1-9,10,11-23,24+', Transpose: '1-12,13-20,21-22,23,24', Trilu: '14+',
    Unsqueeze: '1-10,11-12,13-20,21-22,23,24,25+', Where: '9-15,16+',
  },
  'com.microsoft': {
    Attention: '1+', BiasAdd: '1+', BiasGelu: '1+', BiasSplitGelu: '1+', CausalConvWithState: '1+', FastGelu: '1+',
    FusedConv: '1+', GatherBlockQuantized: '1+', Gelu: '1+', GroupQueryAttention: '1+', LinearAttention: '1+',
    MRotaryEmbedding: '1+', MatMulBnb4: '1+', MatMulNBits: '1+', MultiHeadAttention: '1+', NGramHashMapping: '1+',
    QuickGelu: '1+', RotaryEmbedding: '1+', SkipLayerNormalization: '1+', SkipSimplifiedLayerNormalization: '1+',
  },
};

// The union of each operator's CPU kernel ranges (all contiguous but Scatter and Upsample,
// which stop where their schema was deprecated), default domain and contrib operators.
const WASM: Table = {
  'ai.onnx': {
    Abs: '6+', Acos: '7+', Acosh: '9+', Add: '7+', Affine: '1+', AffineGrid: '20+', And: '7+', ArgMax: '1+', ArgMin: '1+',
    Asin: '7+', Asinh: '9+', Atan: '7+', Atanh: '9+', Attention: '23+', AveragePool: '7+', BatchNormalization: '7+',
    BitShift: '11+', BitwiseAnd: '18+', BitwiseNot: '18+', BitwiseOr: '18+', BitwiseXor: '18+', BlackmanWindow: '17+',
    Cast: '6+', Ceil: '6+', Celu: '12+', Clip: '6+', Col2Im: '18+', Compress: '9+', Concat: '4+', ConcatFromSequence: '11+',
    ConstantOfShape: '9+', Conv: '1+', ConvInteger: '10+', ConvTranspose: '1+', Cos: '7+', Cosh: '9+', Crop: '1+',
    CumSum: '11+', DFT: '17+', DepthToSpace: '1+', DequantizeLinear: '10+', Det: '11+', Div: '7+', Dropout: '7+',
    DynamicQuantizeLinear: '11+', DynamicSlice: '1+', Einsum: '12+', Elu: '6+', Equal: '7+', Erf: '9+', Exp: '6+',
    Expand: '8+', EyeLike: '9+', Flatten: '1+', Floor: '6+', GRU: '7+', Gather: '1+', GatherElements: '11+', GatherND: '11+',
    Gelu: '20+', Gemm: '7+', GlobalAveragePool: '1+', GlobalLpPool: '2+', GlobalMaxPool: '1+', Greater: '7+',
    GreaterOrEqual: '12+', GridSample: '16+', HammingWindow: '17+', HannWindow: '17+', HardSigmoid: '6+', Hardmax: '1+',
    Identity: '1+', If: '1+', ImageScaler: '1+', InstanceNormalization: '6+', IsInf: '10+', IsNaN: '9+', LRN: '1+',
    LSTM: '7+', LayerNormalization: '1+', LeakyRelu: '6+', Less: '7+', LessOrEqual: '12+', Log: '6+', LogSoftmax: '1+',
    Loop: '1+', LpNormalization: '1+', LpPool: '2+', MatMul: '1+', MatMulInteger: '10+', Max: '6+', MaxPool: '1+',
    MaxRoiPool: '1+', MaxUnpool: '9+', Mean: '6+', MeanVarianceNormalization: '1+', MelWeightMatrix: '17+', Min: '6+',
    Mod: '10+', Mul: '7+', Multinomial: '7+', Neg: '6+', NonZero: '9+', Not: '1+', OneHot: '9+', Optional: '15+',
    OptionalGetElement: '15+', OptionalHasElement: '15+', Or: '7+', PRelu: '7+', Pad: '2+', ParametricSoftplus: '1+',
    Pow: '7+', QLinearConv: '10+', QLinearMatMul: '10+', QuantizeLinear: '10+', RMSNormalization: '23+', RNN: '7+',
    RandomNormal: '1+', RandomNormalLike: '1+', RandomUniform: '1+', RandomUniformLike: '1+', Range: '11+',
    Reciprocal: '6+', ReduceL1: '1+', ReduceL2: '1+', ReduceLogSum: '1+', ReduceLogSumExp: '1+', ReduceMax: '1+',
    ReduceMean: '1+', ReduceMin: '1+', ReduceProd: '1+', ReduceSum: '1+', ReduceSumSquare: '1+', RegexFullMatch: '20+',
    Relu: '6+', Reshape: '1+', Resize: '10+', ReverseSequence: '10+', RoiAlign: '10+', RotaryEmbedding: '23+', Round: '11+',
    STFT: '17+', Scale: '1+', ScaledTanh: '1+', Scan: '8+', Scatter: '9-10', ScatterElements: '11+', ScatterND: '11+',
    Selu: '6+', SequenceAt: '11+', SequenceConstruct: '11+', SequenceEmpty: '11+', SequenceErase: '11+',
    SequenceInsert: '11+', SequenceLength: '11+', Shape: '1+', Shrink: '9+', Sigmoid: '6+', Sign: '9+',
    SimplifiedLayerNormalization: '1+', Sin: '7+', Sinh: '9+', Size: '1+', Slice: '1+', Softmax: '1+', Softplus: '1+',
    Softsign: '1+', SpaceToDepth: '1+', Split: '2+', SplitToSequence: '11+', Sqrt: '6+', Squeeze: '1+',
    StringConcat: '20+', StringNormalizer: '10+', StringSplit: '20+', Sub: '7+', Sum: '6+', Tan: '7+', Tanh: '6+',
    TensorScatter: '24+', TfIdfVectorizer: '9+', ThresholdedRelu: '1+', Tile: '6+', TopK: '1+', Transpose: '1+',
    Trilu: '14+', Unique: '11+', Unsqueeze: '1+', Upsample: '7-9', Where: '9+', Xor: '7+',
  },
  // Every CPU contrib kernel has version 1.
  'com.microsoft': Object.fromEntries(`
    Attention AttnLSTM BeamSearch BiasGelu BifurcationDetector CDist ConvTransposeWithDynamicPads CropAndResize
    DecoderMaskedMultiHeadAttention DequantizeLinear DynamicQuantizeLSTM DynamicQuantizeMatMul DynamicTimeWarping EmbedLayerNormalization ExpandDims FastGelu
    FusedConv FusedGemm FusedMatMul GatherBlockQuantized GatherND Gelu GreedySearch GridSample
    GroupQueryAttention Inverse MatMulBnb4 MatMulFpQ4 MatMulInteger16 MatMulIntegerToFloat MatMulNBits MaxpoolWithMask
    MoE MultiHeadAttention MurmurHash3 NGramRepeatBlock NhwcMaxPool Pad QAttention QEmbedLayerNormalization
    QGemm QLinearAdd QLinearConv QLinearLeakyRelu QLinearMul QLinearSigmoid QLinearSoftmax QLinearWhere
    QMoE QuantizeLinear QuickGelu Range RotaryEmbedding SampleOp Sampling SkipLayerNormalization
    SkipSimplifiedLayerNormalization SparseAttention SparseToDenseMatMul Tokenizer TransposeMatMul Trilu UnfoldTensor Unique
    WhisperBeamSearch WordConvEmbedding`.trim().split(/\s+/).map((op) => [op, '1+'])),
};

// Turned into initializers when ONNX Runtime loads the graph: no execution provider runs them.
const GRAPH_LEVEL = new Set(['ai.onnx\0Constant']);

/** True when `opset` lies in one of the ranges, written as '7-12,13,14+'. */
export function inRanges(ranges: string, opset: number): boolean {
  return ranges.split(',').some((range) => {
    const [from, to] = range.trim().split('-');
    if (to === undefined) return from!.endsWith('+') ? opset >= Number(from!.slice(0, -1)) : opset === Number(from);
    return opset >= Number(from) && opset <= Number(to);
  });
}

function runs(table: Table, op: OperatorUse): boolean {
  if (GRAPH_LEVEL.has(`${op.domain}\0${op.opType}`)) return true;
  const ranges = table[op.domain]?.[op.opType];
  return ranges !== undefined && inRanges(ranges, op.opset);
}

/** How an operator is named in the report: `Add`, or `com.microsoft.MatMulNBits` outside the default domain. */
const label = (op: OperatorUse) => (op.domain === 'ai.onnx' ? op.opType : `${op.domain}.${op.opType}`);

const DOUBLE = 11; // TensorProto.DataType
const INTEGER_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]); // (u)int8..64 and bool
const BOOL_RESULTS = new Set(['And', 'Equal', 'Greater', 'GreaterOrEqual', 'IsInf', 'IsNaN', 'Less', 'LessOrEqual', 'Not', 'Or', 'Xor']);
const INT64_RESULTS = new Set(['ArgMax', 'ArgMin', 'NonZero', 'Shape', 'Size']);
// Operators that only read integer operands as indices or sizes, which is no arithmetic.
const INDEXING = new Set(['Expand', 'Gather', 'GatherElements', 'GatherND', 'Reshape', 'Slice', 'Squeeze', 'Tile', 'Unsqueeze']);

/**
 * The nodes that run, and the constants: ONNX Runtime computes a node whose operands are
 * all constants once, when the session loads (constant folding), except DequantizeLinear,
 * which it keeps so that quantized weights stay packed.
 */
function runningNodes(graph: Graph): { running: NodeUse[]; constants: Set<string> } {
  const constants = new Set(Object.keys(graph.known).filter((name) => !graph.inputs.includes(name)));
  const running: NodeUse[] = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'DequantizeLinear' && node.inputs.every((name) => !name || constants.has(name))) {
      node.outputs.forEach((name) => constants.add(name));
    } else {
      running.push(node);
    }
  }
  return { running, constants };
}

/**
 * The element type of every value, from the inputs' and initializers'. Close enough to the
 * ONNX schemas for the checks here: a node's result has its first operand's type unless it
 * is a Cast, a Constant, a comparison, an index or size, a Where or a DequantizeLinear.
 */
function elementTypes(graph: Graph): Map<string, number> {
  const types = new Map(Object.entries(graph.known));
  for (const node of graph.nodes) {
    const type = node.type ?? (BOOL_RESULTS.has(node.opType) ? 9 : INT64_RESULTS.has(node.opType) ? 7
      : node.opType === 'Where' || node.opType === 'DequantizeLinear' ? types.get(node.inputs[1] ?? '')
        : types.get(node.inputs[0] ?? ''));
    for (const output of node.outputs) if (type !== undefined) types.set(output, type);
  }
  return types;
}

/**
 * How many running nodes compute on integer (or bool) tensors made at run time (masks,
 * positions, sizes) for other nodes to read. The WebGPU providers leave such arithmetic on
 * the CPU, and its results are uploaded to the GPU in the middle of a run.
 */
function integerComputations(graph: Graph, { running, constants }: ReturnType<typeof runningNodes>, types: Map<string, number>): number {
  const read = new Set(graph.nodes.flatMap((node) => node.inputs));
  return running.filter((node) =>
    node.inputs.some((name, i) => name && !constants.has(name) && INTEGER_TYPES.has(types.get(name) ?? 0) && !(INDEXING.has(node.opType) && i > 0)) &&
    node.outputs.some((name) => read.has(name))).length;
}

/**
 * What `bundle` does with a model: operators outside `table`, and `gaps` (kernels it lacks
 * for the model's operand types), fall back to the CPU; `blockers` keep it from loading;
 * `bugs` are known bugs of the bundle that the model meets.
 */
function checkWebGpu(bundle: string, table: Table, operators: OperatorUse[], gaps: string[], blockers: string[], bugs: string[]): WebGpuCompatibility {
  const fallback = [...new Set([...operators.filter((op) => !runs(table, op)).map(label), ...gaps])].sort();
  return { bundle, loads: blockers.length === 0, supported: fallback.length === 0, fallback, problems: [...blockers, ...bugs] };
}

/** The operators of the nodes that run (see runningNodes). */
function runningOperators(operators: OperatorUse[], running: NodeUse[]): OperatorUse[] {
  const keys = new Set(running.map((node) => `${node.domain || 'ai.onnx'}\0${node.opType}`));
  return operators.filter((op) => keys.has(`${op.domain}\0${op.opType}`));
}

// Kernels a table lists that do not take every type: JSEP's DequantizeLinear has no 4-bit
// input (TensorProto UINT4 21, INT4 22), so packed 4-bit weights are dequantized on the CPU.
const JSEP_TYPE_GAPS = [{ opType: 'DequantizeLinear', types: [21, 22] }];

/** Operators whose running nodes take an operand type the bundle's kernel lacks. */
function typeGaps(running: NodeUse[], types: Map<string, number>, gaps: typeof JSEP_TYPE_GAPS): string[] {
  return gaps.filter((gap) => running.some((node) =>
    !node.domain && node.opType === gap.opType && gap.types.includes(types.get(node.inputs[0] ?? '') ?? 0))).map((gap) => gap.opType);
}

/** Where onnxruntime-web runs a model (its operators, element types and nodes, as read from its file). */
export function checkModel(use: Pick<ModelUse, 'operators'> & Partial<ModelUse>): WebCompatibility {
  const graph = use.nodes ? { nodes: use.nodes, known: use.known ?? {}, inputs: use.inputs ?? [] } : undefined;
  const folded = graph ? runningNodes(graph) : undefined;
  const running = folded?.running;
  const types = graph ? elementTypes(graph) : new Map<string, number>();
  const operators = running ? runningOperators(use.operators, running) : use.operators;
  const unsupported = [...new Set(operators.filter((op) => !runs(WASM, op)).map(label))].sort();
  const missing = unsupported.length ? [`no kernel, on WebGPU or on the CPU, for ${unsupported.join(', ')}`] : [];
  const float64 = (use.elementTypes ?? []).includes(DOUBLE)
    ? ['float64 tensors: the native WebGPU provider has no float64 Cast, and the session fails to load']
    : [];
  const integer = graph && folded ? integerComputations(graph, folded, types) : 0;
  const hazard = integer > 0
    ? [`${integer} node(s) compute integer tensors, which run on the CPU and are uploaded mid-run: JSEP's write-after-read ` +
      'hazard (docs/webgpu.md, bug 1) can give a kernel the wrong tensor; the native bundle has no such bug']
    : [];
  const jsepGaps = running ? typeGaps(running, types, JSEP_TYPE_GAPS) : [];
  return {
    native: checkWebGpu('ort.webgpu.min.mjs', NATIVE, operators, [], [...missing, ...float64], []),
    jsep: checkWebGpu('ort.min.mjs', JSEP, operators, jsepGaps, missing, hazard),
    wasm: { supported: unsupported.length === 0, unsupported },
  };
}

/** Where onnxruntime-web runs a model of these operators. */
export function checkOperators(operators: OperatorUse[]): WebCompatibility {
  return checkModel({ operators });
}

/** The compatibility of the ONNX model in `file` with onnxruntime-web. */
export function webCompatibility(file: string): WebCompatibility {
  return checkModel(readModelUse(file));
}
