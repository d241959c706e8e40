"""AsStrided: mx.as_strided views and the sliding windows of pooling layers:
native/lower/strided.cpp."""
import mlx.core as mx
import mlx.nn as nn

from .case import F16_TOL, Case, randint, randn

CASES = []


def add(name, fn, inputs, covers=("AsStrided",), **tol):
    CASES.append(Case(name=f"strided_{name}", fn=fn, inputs=inputs, covers=list(covers), **tol))


v = randn((12,), 1201)
m = randn((6, 8), 1202)

add("windows_1d", lambda x: mx.as_strided(x, (9, 4), (1, 1)), [v])
add("windows_1d_step2", lambda x: mx.as_strided(x, (5, 3), (2, 1)), [v])
add("offset", lambda x: mx.as_strided(x, (3, 3), (3, 1), 2), [v])
add("broadcast_zero_stride", lambda x: mx.as_strided(x, (4, 5), (0, 2), 1), [v])
add("reverse_negative_stride", lambda x: mx.as_strided(x, (12,), (-1,), 11), [v])
add("windows_2d", lambda x: mx.as_strided(x, (3, 3, 2, 4), (16, 2, 8, 1)), [m])
add("transpose_like", lambda x: mx.as_strided(x, (8, 6), (1, 8)), [m])
add("of_transposed_input", lambda x: mx.as_strided(x.T, (4, 3), (1, 6)), [m], ["AsStrided", "Transpose"])
add("scalar_output", lambda x: mx.as_strided(x, (), (), 5), [v])
add("i32", lambda x: mx.as_strided(x, (4, 2, 3), (6, 3, 1)), [randint((24,), 1203, -99, 99)])
add("f16", lambda x: mx.as_strided(x, (5, 4), (2, 1)), [randn((12,), 1204, "float16")], **F16_TOL)
add("then_sum", lambda x: mx.as_strided(x, (10, 3), (1, 1)).sum(axis=1), [v], ["AsStrided", "Reduce"])

# Pooling layers view their input through sliding windows.
x4 = randn((2, 8, 8, 3), 1205)
_max2 = nn.MaxPool2d(kernel_size=3, stride=2)
_avg2 = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)
_max1 = nn.MaxPool1d(kernel_size=3, stride=1, padding=1)
_max2_tiles = nn.MaxPool2d(kernel_size=2, stride=2)
_avg1 = nn.AvgPool1d(kernel_size=3, stride=2)
add("maxpool2d", lambda x: _max2(x), [x4], ["AsStrided", "Reduce"])
add("avgpool2d_padded", lambda x: _avg2(x), [x4], ["AsStrided", "Pad"])
add("maxpool1d_padded", lambda x: _max1(x), [randn((2, 10, 4), 1206)], ["AsStrided", "Pad", "Reduce"])
add("avgpool1d", lambda x: _avg1(x), [randn((2, 10, 4), 1207)], ["AsStrided"])
add("maxpool3d", lambda x: nn.MaxPool3d(kernel_size=2, stride=(1, 2, 2))(x), [randn((1, 4, 6, 6, 2), 1208)],
    ["AsStrided", "Reduce"])
# Windows that tile the input exactly are a Reshape, not an AsStrided.
add("maxpool2d_tiling", lambda x: _max2_tiles(x), [x4], ["Reshape", "Reduce"])
add("windows_opset23", lambda x: mx.as_strided(x, (3, 2, 4), (2, 3, 1), 1), [v], options={"opset": 23})
