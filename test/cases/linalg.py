"""Matrix products: Matmul and AddMM, native/lower/linalg.cpp."""
import mlx.core as mx

from .case import Case, randn

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"linalg_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


add("matmul_2d", mx.matmul, [randn((8, 16), 601), randn((16, 4), 602)], ["Matmul"])
add("matmul_2d_operator", lambda a, b: a @ b, [randn((5, 3), 603), randn((3, 7), 604)], ["Matmul"])
add("matmul_batched_3d", mx.matmul, [randn((2, 8, 16), 605), randn((2, 16, 4), 606)], ["Matmul"])
add("matmul_batched_broadcast_2d_rhs", mx.matmul, [randn((2, 4, 8), 607), randn((8, 3), 608)], ["Matmul"])
add("matmul_batched_broadcast_4d", mx.matmul, [randn((3, 1, 4, 8), 609), randn((2, 8, 5), 610)],
    ["Matmul"])
add("matmul_vector_matrix", mx.matmul, [randn((8,), 611), randn((8, 5), 612)], ["Matmul"])
add("matmul_matrix_vector", mx.matmul, [randn((4, 8), 613), randn((8,), 614)], ["Matmul"])
add("matmul_transposed_rhs", lambda a, b: a @ b.T, [randn((4, 8), 615), randn((6, 8), 616)],
    ["Transpose", "Matmul"])
add("matmul_f16", mx.matmul, [randn((4, 16), 617, "float16"), randn((16, 8), 618, "float16")], ["Matmul"],
    atol=1e-2, rtol=5e-3)
add("matmul_const_weight", lambda x, _w=randn((16, 8), 619): x @ _w, [randn((4, 16), 620)], ["Matmul"])
add("addmm_alpha_beta", lambda c, a, b: mx.addmm(c, a, b, alpha=0.5, beta=2.0),
    [randn((4, 6), 621), randn((4, 8), 622), randn((8, 6), 623)], ["AddMM"])
add("addmm_default", mx.addmm, [randn((4, 6), 624), randn((4, 8), 625), randn((8, 6), 626)], ["AddMM"])
add("addmm_bias_broadcast", lambda c, a, b: mx.addmm(c, a, b, alpha=1.0, beta=-1.5),
    [randn((6,), 627), randn((4, 8), 628), randn((8, 6), 629)], ["AddMM"])
add("addmm_alpha_only", lambda c, a, b: mx.addmm(c, a, b, alpha=-2.0, beta=1.0),
    [randn((4, 6), 630), randn((4, 8), 631), randn((8, 6), 632)], ["AddMM"])
add("addmm_batched", lambda c, a, b: mx.addmm(c, a, b, alpha=0.25, beta=0.75),
    [randn((2, 3, 5), 633), randn((2, 3, 4), 634), randn((2, 4, 5), 635)], ["AddMM"])
