"""Elementwise functions of one operand: native/lower/unary.cpp.

Copy and StopGradient are in the rule table but MLX 0.32's exporter drops both from the
traced graph (mx.stop_gradient and copies leave nothing in the .mlxfn), so no case can
record them.
"""
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randint, randn, uniform

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"unary_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


# Abs, Negative
add("abs_f32", mx.abs, [randn((2, 3, 4), 1)], ["Abs"])
add("abs_i32", mx.abs, [randint((5, 6), 2, -50, 50)], ["Abs"])
add("abs_f16", mx.abs, [randn((4, 8), 3, "float16")], ["Abs"], **F16_TOL)
add("negative_f32", mx.negative, [randn((3, 5), 4)], ["Negative"])
add("negative_i32_scalar", lambda x: -x, [randint((), 5, -9, 9)], ["Negative"])

# Exponentials and logarithms
add("exp_f32", mx.exp, [randn((2, 3, 4), 6, scale=2.0)], ["Exp"])
add("exp_f32_scalar", mx.exp, [const(0.75)], ["Exp"])
add("exp_f16", mx.exp, [randn((4, 8), 7, "float16")], ["Exp"], **F16_TOL)
add("expm1_f32", mx.expm1, [randn((4, 8), 8, scale=0.01)], ["Expm1"])
add("expm1_f32_wide", mx.expm1, [uniform((2, 3, 4), 9, -3.0, 3.0)], ["Expm1"])
add("log_f32", mx.log, [uniform((2, 3, 4), 10, 0.05, 20.0)], ["Log"])
add("log2_f32", mx.log2, [uniform((3, 7), 11, 0.05, 64.0)], ["Log"])
add("log10_f32", mx.log10, [uniform((3, 7), 12, 0.05, 1000.0)], ["Log"])
add("log_bases_f32", lambda x: [mx.log(x), mx.log2(x), mx.log10(x)],
    [uniform((5,), 13, 0.1, 10.0)], ["Log"])
add("log_f32_scalar", mx.log, [const(3.5)], ["Log"])
add("log_f16", mx.log, [uniform((4, 8), 14, 0.1, 10.0, "float16")], ["Log"], **F16_TOL)
add("log2_f16", mx.log2, [uniform((4, 8), 15, 0.1, 10.0, "float16")], ["Log"], **F16_TOL)
add("log1p_f32", mx.log1p, [uniform((4, 8), 16, 0.0, 5.0)], ["Log1p"])
add("log1p_f32_small", mx.log1p, [uniform((16,), 17, 1e-3, 1e-2)], ["Log1p"], rtol=1e-3)

# Roots and powers
add("sqrt_f32", mx.sqrt, [uniform((2, 3, 4), 18, 0.0, 10.0)], ["Sqrt"])
add("rsqrt_f32", mx.rsqrt, [uniform((2, 3, 4), 19, 0.05, 10.0)], ["Sqrt"])
add("sqrt_rsqrt_f32", lambda x: [mx.sqrt(x), mx.rsqrt(x)], [uniform((6,), 20, 0.1, 4.0)], ["Sqrt"])
add("sqrt_f16", mx.sqrt, [uniform((4, 8), 21, 0.0, 10.0, "float16")], ["Sqrt"], **F16_TOL)
add("rsqrt_f16", mx.rsqrt, [uniform((4, 8), 22, 0.1, 10.0, "float16")], ["Sqrt"], **F16_TOL)
add("square_f32", mx.square, [randn((3, 5), 23)], ["Square"])
add("square_i32", mx.square, [randint((3, 5), 24, -40, 40)], ["Square"])
add("square_f16", mx.square, [randn((3, 5), 25, "float16")], ["Square"], **F16_TOL)

# Trigonometric and hyperbolic
add("sin_f32", mx.sin, [uniform((2, 3, 4), 26, -6.0, 6.0)], ["Sin"])
add("cos_f32", mx.cos, [uniform((2, 3, 4), 27, -6.0, 6.0)], ["Cos"])
add("tan_f32", mx.tan, [uniform((3, 7), 28, -1.2, 1.2)], ["Tan"])
add("sin_f16", mx.sin, [uniform((4, 8), 29, -3.0, 3.0, "float16")], ["Sin"], **F16_TOL)
add("cos_f32_scalar", mx.cos, [const(1.25)], ["Cos"])
add("arcsin_f32", mx.arcsin, [uniform((3, 7), 30, -0.95, 0.95)], ["ArcSin"])
add("arccos_f32", mx.arccos, [uniform((3, 7), 31, -0.95, 0.95)], ["ArcCos"])
add("arctan_f32", mx.arctan, [randn((3, 7), 32, scale=3.0)], ["ArcTan"])
add("sinh_f32", mx.sinh, [uniform((3, 7), 33, -3.0, 3.0)], ["Sinh"])
add("cosh_f32", mx.cosh, [uniform((3, 7), 34, -3.0, 3.0)], ["Cosh"])
add("tanh_f32", mx.tanh, [randn((2, 3, 4), 35, scale=2.0)], ["Tanh"])
add("tanh_f16", mx.tanh, [randn((4, 8), 36, "float16")], ["Tanh"], **F16_TOL)
add("arcsinh_f32", mx.arcsinh, [randn((3, 7), 37, scale=3.0)], ["ArcSinh"])
add("arccosh_f32", mx.arccosh, [uniform((3, 7), 38, 1.05, 10.0)], ["ArcCosh"])
add("arctanh_f32", mx.arctanh, [uniform((3, 7), 39, -0.9, 0.9)], ["ArcTanh"])

# Sigmoid, Erf
add("sigmoid_f32", mx.sigmoid, [randn((2, 3, 4), 40, scale=3.0)], ["Sigmoid"])
add("sigmoid_f16", mx.sigmoid, [randn((4, 8), 41, "float16", scale=3.0)], ["Sigmoid"], **F16_TOL)
add("erf_f32", mx.erf, [randn((2, 3, 4), 42, scale=1.5)], ["Erf"])
add("erf_f16", mx.erf, [randn((4, 8), 43, "float16")], ["Erf"], **F16_TOL)

# Rounding and sign
add("floor_f32", mx.floor, [randn((3, 7), 44, scale=4.0)], ["Floor"])
add("ceil_f32", mx.ceil, [randn((3, 7), 45, scale=4.0)], ["Ceil"])
add("round_f32", mx.round, [randn((3, 7), 46, scale=4.0)], ["Round"])
add("round_halves_f32", mx.round,
    [const([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -3.49, 0.49, 7.51])], ["Round"])
add("round_decimals_f32", lambda x: mx.round(x, 2), [randn((3, 7), 47, scale=4.0)], ["Round"])
add("floor_f16", mx.floor, [randn((4, 8), 48, "float16", scale=4.0)], ["Floor"], **F16_TOL)
add("sign_f32", mx.sign, [const([[-2.5, 0.0, 3.0], [1e-3, -1e-3, 0.0]])], ["Sign"])
add("sign_i32", mx.sign, [randint((4, 5), 49, -3, 4)], ["Sign"])

# Logical not
add("logical_not_bool", mx.logical_not, [randbool((3, 5), 50)], ["LogicalNot"])
add("logical_not_bool_scalar", mx.logical_not, [const(True, "bool")], ["LogicalNot"])

# AsType between float32 / int32 / float16 / bool (bfloat16 only inside the function)
add("astype_f32_to_i32", lambda x: x.astype(mx.int32), [randn((3, 7), 51, scale=10.0)], ["AsType"])
add("astype_i32_to_f32", lambda x: x.astype(mx.float32), [randint((3, 7), 52, -1000, 1000)], ["AsType"])
add("astype_f32_to_f16", lambda x: x.astype(mx.float16), [randn((3, 7), 53, scale=10.0)], ["AsType"],
    **F16_TOL)
add("astype_f16_to_f32", lambda x: x.astype(mx.float32), [randn((3, 7), 54, "float16")], ["AsType"])
add("astype_f32_to_bool", lambda x: x.astype(mx.bool_),
    [const([[0.0, 1.0, -2.5], [0.0, 1e-3, 0.0]])], ["AsType"])
add("astype_bool_to_f32", lambda x: x.astype(mx.float32), [randbool((4, 5), 55)], ["AsType"])
add("astype_i32_to_bool", lambda x: x.astype(mx.bool_), [randint((4, 5), 56, -2, 3)], ["AsType"])
add("astype_bool_to_i32", lambda x: x.astype(mx.int32), [randbool((4, 5), 57)], ["AsType"])
add("astype_i32_to_f16", lambda x: x.astype(mx.float16), [randint((4, 5), 58, -500, 500)], ["AsType"])
add("astype_via_bf16", lambda x: x.astype(mx.bfloat16).astype(mx.float32),
    [randn((4, 8), 59, scale=5.0)], ["AsType"], atol=1e-6, rtol=1e-6)
add("astype_f32_scalar_to_i32", lambda x: x.astype(mx.int32), [const(-7.75)], ["AsType"])

# A chain of several unary ops on one tensor
add("chain_f32", lambda x: mx.tanh(mx.exp(mx.sin(x)) - mx.sqrt(mx.abs(x))),
    [randn((2, 3, 4), 60)], ["Sin", "Exp", "Abs", "Sqrt", "Tanh"])
