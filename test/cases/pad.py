"""Pad: constant padding (mx.pad, and the padding of pooling layers): native/lower/pad.cpp."""
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randint, randn

CASES = []


def add(name, fn, inputs, covers=("Pad",), **tol):
    CASES.append(Case(name=f"pad_{name}", fn=fn, inputs=inputs, covers=list(covers), **tol))


m = randn((3, 4), 1101)
x3 = randn((2, 3, 4), 1102)

add("f32_all_axes", lambda x: mx.pad(x, 1), [m])
add("f32_pairs", lambda x: mx.pad(x, [(1, 2), (0, 3)]), [m])
add("f32_one_pair", lambda x: mx.pad(x, (2, 1)), [x3])
add("f32_some_axes_zero", lambda x: mx.pad(x, [(0, 0), (2, 0), (0, 0)]), [x3])
add("f32_no_padding", lambda x: mx.pad(x, 0) * 2.0, [m], ["Pad", "Multiply"])
add("f32_value", lambda x: mx.pad(x, [(1, 1), (2, 0), (0, 1)], constant_values=2.5), [x3])
add("f32_value_input", lambda x, v: mx.pad(x, [(1, 0), (0, 2)], constant_values=v), [m, const(-1.5)])
add("f32_int_value_input", lambda x, v: mx.pad(x, 1, constant_values=v), [m, const(3, "int32")],
    ["Pad", "AsType"])
add("f32_4d", lambda x: mx.pad(x, [(0, 0), (1, 2), (2, 1), (0, 0)]), [randn((2, 4, 4, 3), 1103)])
add("f32_1d", lambda x: mx.pad(x, (3, 5), constant_values=-4.0), [randn((7,), 1104)])
add("f16", lambda x: mx.pad(x, [(1, 2), (2, 1)], constant_values=0.5), [randn((3, 4), 1105, "float16")],
    **F16_TOL)
add("i32", lambda x: mx.pad(x, [(2, 0), (1, 1)], constant_values=-7), [randint((3, 4), 1106, -50, 50)])
add("u32", lambda x: mx.pad(x, 2, constant_values=9), [randint((2, 3), 1107, 0, 100, "uint32")])
add("bool", lambda x: mx.pad(x, [(1, 0), (0, 2)], constant_values=True), [randbool((3, 3), 1108)])
add("i16", lambda x: mx.pad(x.astype(mx.int16), 1, constant_values=-3).astype(mx.int32),
    [randint((3, 4), 1109, -99, 99)], ["Pad", "AsType"])
add("u8", lambda x: mx.pad(x.astype(mx.uint8), [(0, 1), (2, 0)], constant_values=200).astype(mx.int32),
    [randint((3, 4), 1110, 0, 255)], ["Pad", "AsType"])
add("bf16", lambda x: mx.pad(x.astype(mx.bfloat16), 1, constant_values=1.5).astype(mx.float32),
    [randn((3, 4), 1111)], ["Pad", "AsType"])
add("then_add", lambda x, y: mx.pad(x, [(0, 1), (1, 0)]) + y, [m, randn((4, 5), 1112)], ["Pad", "Add"])
add("u16", lambda x: mx.pad(x.astype(mx.uint16), [(1, 1), (0, 2)], constant_values=60000).astype(mx.int32),
    [randint((3, 4), 1113, 0, 9999)], ["Pad", "AsType"])
add("i8", lambda x: mx.pad(x.astype(mx.int8), 1, constant_values=-100).astype(mx.int32),
    [randint((3, 4), 1114, -99, 99)], ["Pad", "AsType"])
add("i64", lambda x: mx.pad(x.astype(mx.int64), [(2, 1), (1, 0)], constant_values=-5).astype(mx.int32),
    [randint((3, 4), 1115, -99, 99)], ["Pad", "AsType"])
add("f32_opset23", lambda x: mx.pad(x, [(1, 0), (0, 2), (2, 2)], constant_values=-1.0), [x3],
    options={"opset": 23})
