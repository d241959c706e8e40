"""Arrays made from parameters: Arange and Full, native/lower/creation.cpp."""
import mlx.core as mx

from .case import Case, const, randint, randn

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"creation_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


# Arange
add("arange_i32", lambda x: x + mx.arange(6, dtype=mx.int32), [randint((3, 6), 701, -9, 9)], ["Arange"])
add("arange_i32_start_step", lambda x: x * mx.arange(2, 20, 3, dtype=mx.int32), [randint((6,), 702, -9, 9)],
    ["Arange"])
add("arange_i32_negative_step", lambda x: x - mx.arange(10, 0, -2), [randint((5,), 703, -9, 9)], ["Arange"])
add("arange_f32", lambda x: x + mx.arange(8, dtype=mx.float32), [randn((2, 8), 704)], ["Arange"])
add("arange_f32_half_step", lambda x: x * mx.arange(-1.0, 3.0, 0.5), [randn((8,), 705)], ["Arange"])
add("arange_f32_tenth_step", lambda x: x + mx.arange(0.0, 2.0, 0.1), [randn((20,), 706)], ["Arange"])
add("arange_f32_negative_step", lambda x: x + mx.arange(3.0, -1.0, -0.25), [randn((16,), 707)], ["Arange"])
add("arange_f16", lambda x: x + mx.arange(0.0, 4.0, 0.5, dtype=mx.float16), [randn((8,), 708, "float16")],
    ["Arange"], atol=2e-3, rtol=2e-3)
add("arange_as_output", lambda x: [x * 2.0, mx.arange(5, dtype=mx.float32)], [randn((3,), 709)], ["Arange"])
add("causal_mask_from_arange",
    lambda x: mx.where(mx.arange(6)[:, None] >= mx.arange(6)[None, :], x, -1e9),
    [randn((6, 6), 710)], ["Arange", "GreaterEqual", "Select"])

# Full (mx.full / zeros / ones / *_like inside the function)
add("full_f32", lambda x: x + mx.full((3, 4), 2.5), [randn((3, 4), 711)], ["Full"])
add("full_i32", lambda x: x * mx.full((4,), 3, dtype=mx.int32), [randint((2, 4), 712, -9, 9)], ["Full"])
add("zeros_f32", lambda x: mx.maximum(x, mx.zeros((2, 3, 4))), [randn((2, 3, 4), 713)], ["Full"])
add("ones_f32", lambda x: x - mx.ones((5,)), [randn((5,), 714)], ["Full"])
add("zeros_like", lambda x: mx.concatenate([x, mx.zeros_like(x)], axis=0), [randn((2, 3), 715)], ["Full"])
add("full_from_input", lambda v: mx.full((2, 3), v) * 2.0, [const(1.75)], ["Full"])
add("full_from_input_row", lambda v: mx.full((4, 3), v) + 1.0, [randn((3,), 716)], ["Full"])
add("full_as_output", lambda x: [x + 1.0, mx.full((2, 2), -3.0)], [randn((2,), 717)], ["Full"])
add("full_bool_select", lambda x: mx.where(mx.full((3, 4), True), x, 0.0), [randn((3, 4), 718)],
    ["Full", "Select"])
