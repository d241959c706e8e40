"""Convolution (conv1d/2d/3d, conv_general, conv_transpose*): native/lower/conv.cpp."""
import math

import mlx.core as mx
import mlx.nn as nn

from .case import F16_TOL, Case, randn

CASES = []


def add(name, fn, inputs, covers=("Convolution",), **tol):
    CASES.append(Case(name=f"conv_{name}", fn=fn, inputs=inputs, covers=list(covers), **tol))


def weight(shape, seed, dtype="float32"):
    """A kernel scaled by 1/sqrt(fan in), so outputs stay near unit size."""
    fan_in = math.prod(shape[1:])
    return randn(shape, seed, dtype, scale=1.0 / math.sqrt(fan_in))


# ---------------------------------------------------------------- conv1d
x1 = randn((2, 16, 4), 1001)
w1 = weight((6, 3, 4), 1002)
add("1d", lambda x, w: mx.conv1d(x, w), [x1, w1])
add("1d_stride2_pad1", lambda x, w: mx.conv1d(x, w, stride=2, padding=1), [x1, w1])
add("1d_dilation2", lambda x, w: mx.conv1d(x, w, padding=2, dilation=2), [x1, w1])
add("1d_groups2", lambda x, w: mx.conv1d(x, w, groups=2), [x1, weight((6, 3, 2), 1003)])
add("1d_depthwise", lambda x, w: mx.conv1d(x, w, padding=1, groups=4), [x1, weight((4, 3, 1), 1004)])
add("1d_const_weight", lambda x: mx.conv1d(x, w1, stride=3), [x1])
add("1d_kernel1", lambda x, w: mx.conv1d(x, w), [x1, weight((5, 1, 4), 1005)])
add("1d_f16", lambda x, w: mx.conv1d(x, w, stride=2, padding=1),
    [randn((2, 16, 4), 1006, "float16"), weight((6, 3, 4), 1007, "float16")], **F16_TOL)

# ---------------------------------------------------------------- conv2d
x2 = randn((2, 8, 8, 3), 1010)
w2 = weight((4, 3, 3, 3), 1011)
add("2d", lambda x, w: mx.conv2d(x, w), [x2, w2])
add("2d_stride_pad", lambda x, w: mx.conv2d(x, w, stride=(2, 1), padding=(1, 2)), [x2, w2])
add("2d_dilation", lambda x, w: mx.conv2d(x, w, padding=1, dilation=(2, 1)), [x2, w2])
add("2d_kernel_rect", lambda x, w: mx.conv2d(x, w, stride=2), [x2, weight((5, 2, 4, 3), 1012)])
add("2d_groups", lambda x, w: mx.conv2d(x, w, padding=1, groups=2),
    [randn((1, 6, 6, 4), 1013), weight((6, 3, 3, 2), 1014)])
add("2d_depthwise", lambda x, w: mx.conv2d(x, w, padding=1, groups=3), [x2, weight((3, 3, 3, 1), 1015)])
add("2d_f16", lambda x, w: mx.conv2d(x, w, padding=1),
    [randn((2, 8, 8, 3), 1016, "float16"), weight((4, 3, 3, 3), 1017, "float16")], **F16_TOL)
_layer = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1)
mx.eval(_layer.parameters())
add("2d_nn_layer_bias", lambda x: _layer(x), [x2], ["Convolution", "Add"])

# ---------------------------------------------------------------- conv3d
x3 = randn((1, 6, 6, 6, 2), 1020)
w3 = weight((3, 3, 3, 3, 2), 1021)
add("3d", lambda x, w: mx.conv3d(x, w), [x3, w3])
add("3d_stride_pad_dilation", lambda x, w: mx.conv3d(x, w, stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1)),
    [x3, w3])

# ---------------------------------------------------------------- conv_general
add("general_asymmetric_padding", lambda x, w: mx.conv_general(x, w, padding=([1, 0], [0, 2])), [x2, w2])
add("general_1d_asymmetric_padding", lambda x, w: mx.conv_general(x, w, stride=2, padding=([3], [1])), [x1, w1])
add("general_flip", lambda x, w: mx.conv_general(x, w, padding=1, flip=True), [x2, w2])
add("general_input_dilation", lambda x, w: mx.conv_general(x, w, input_dilation=(2, 3)), [x2, w2])
add("general_input_dilation_flip_strided",
    lambda x, w: mx.conv_general(x, w, stride=(2, 1), padding=([0, 1], [2, 0]), kernel_dilation=(1, 2),
                                 input_dilation=(3, 1), flip=True), [x2, w2])
add("general_input_dilation_groups",
    lambda x, w: mx.conv_general(x, w, padding=1, input_dilation=2, groups=2),
    [randn((1, 5, 4), 1022), weight((4, 3, 2), 1023)])

# ---------------------------------------------------------------- conv_transpose (input dilation + flip)
add("transpose1d", lambda x, w: mx.conv_transpose1d(x, w), [x1, w1])
add("transpose1d_stride2", lambda x, w: mx.conv_transpose1d(x, w, stride=2, padding=1), [x1, w1])
add("transpose1d_output_padding", lambda x, w: mx.conv_transpose1d(x, w, stride=3, padding=1, output_padding=2),
    [x1, w1])
add("transpose1d_dilation", lambda x, w: mx.conv_transpose1d(x, w, stride=2, dilation=2), [x1, w1])
add("transpose1d_groups", lambda x, w: mx.conv_transpose1d(x, w, stride=2, groups=2),
    [x1, weight((6, 3, 2), 1030)])
add("transpose1d_large_padding", lambda x, w: mx.conv_transpose1d(x, w, stride=2, padding=4),
    [x1, w1], ["Convolution", "Slice"])
add("transpose2d", lambda x, w: mx.conv_transpose2d(x, w, stride=2, padding=1), [x2, w2])
add("transpose2d_asymmetric", lambda x, w: mx.conv_transpose2d(x, w, stride=(2, 3), padding=(0, 1),
                                                               dilation=(1, 2), output_padding=(1, 0)),
    [x2, weight((4, 2, 3, 3), 1031)])
add("transpose2d_f16", lambda x, w: mx.conv_transpose2d(x, w, stride=2, padding=1),
    [randn((2, 8, 8, 3), 1032, "float16"), weight((4, 3, 3, 3), 1033, "float16")], **F16_TOL)
add("transpose3d", lambda x, w: mx.conv_transpose3d(x, w, stride=(1, 2, 2), padding=1),
    [randn((1, 4, 4, 4, 2), 1034), weight((3, 3, 3, 3, 2), 1035)])
_tlayer = nn.ConvTranspose2d(3, 4, kernel_size=4, stride=2, padding=1)
mx.eval(_tlayer.parameters())
add("transpose2d_nn_layer", lambda x: _tlayer(x), [x2], ["Convolution", "Add"])

# ---------------------------------------------------------------- other dtypes and opsets
add("2d_f64", lambda x, w: mx.conv2d(x.astype(mx.float64), w.astype(mx.float64), padding=1).astype(mx.float32),
    [x2, w2], ["Convolution", "AsType"])
add("2d_bf16", lambda x, w: mx.conv2d(x.astype(mx.bfloat16), w.astype(mx.bfloat16), stride=2).astype(mx.float32),
    [x2, w2], ["Convolution", "AsType"], atol=2e-2, rtol=2e-2)
add("transpose2d_opset23", lambda x, w: mx.conv_transpose2d(x, w, stride=2, padding=1), [x2, w2],
    options={"opset": 23})
add("2d_target_ort", lambda x, w: mx.conv2d(x, w, stride=2, padding=1), [x2, w2], options={"target": "ort"})
