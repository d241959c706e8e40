// ONNX Runtime session options under which written models give MLX's numbers.
import type { InferenceSession } from 'onnxruntime-node';

/**
 * Session options for MLX's numbers from quantized models. ONNX Runtime rewrites the
 * standard target's quantized linear layers (a blocked DequantizeLinear feeding MatMul) into
 * its MatMulNBits kernel; by default that kernel quantizes the activations to int8 (faster,
 * about 1% off). This entry keeps them float32, as `--target ort` writes the kernel itself.
 * Spread it into the options of `InferenceSession.create`.
 */
export const exactSessionOptions: InferenceSession.SessionOptions = {
  extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
};
