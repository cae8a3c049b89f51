"""The reviewed decisions the survey of torch applies: bounds, specials, keywords.

app.parse.allowlist.survey walks torch's public callables; a callable that
app.parse.allowlist.torch_exclusions does not exclude is allowed, with:

- its bound: the one reviewed here (`BOUNDS`, by name, or `PATH_BOUNDS`,
  by dotted path) if any; else "broadcast" when torch tags its operator
  pointwise, "shrink" when torch tags it a reduction; else "meta": the
  result is shaped on meta tensors before every call, and a call that
  cannot be shaped so is refused (app.evaluate.guards);
- its keywords: every keyword its signatures accept (ATen's schemas, or
  Python's signature), less `DANGEROUS_KEYWORDS`; `KEYWORDS` overrides;
- random when torch tags its operator nondeterministic_seeded or it is a
  Python function listed in `RANDOM` (the evaluator seeds the generator
  before it runs);
- special: handled by name in the evaluator (`SPECIALS`).
"""

from __future__ import annotations

from app.parse.allowlist.entries import (
    BROADCAST,
    CONCAT,
    CREATE,
    DATA,
    GROW,
    INDEX,
    MATMUL,
    PIECES,
    SHRINK,
)

# Keywords no call may pass: they reach devices, memory, the generator's
# state, or write into a tensor the program chose. (`device=` with the cpu
# device is accepted by the evaluator as a no-op; see DEVICE_KEYWORD.)
DANGEROUS_KEYWORDS = frozenset(
    {"out", "layout", "pin_memory", "memory_format", "generator", "names", "device"}
)
# Accepted by the checker, checked at run time: only the cpu device passes,
# and it is dropped before the call.
DEVICE_KEYWORD = "device"


def _each(bound: str, names: str) -> dict[str, str]:
    return dict.fromkeys(names.split(), bound)


# Bounds reviewed by hand: the name's bound in every namespace it is in.
BOUNDS: dict[str, str] = {
    **_each(
        CREATE,
        "linspace logspace arange range zeros ones full eye rand randn randint randperm "
        "normal tril_indices triu_indices scalar_tensor hann_window hamming_window "
        "bartlett_window blackman_window kaiser_window fftfreq rfftfreq",
    ),
    **_each(DATA, "tensor as_tensor"),
    **_each(
        MATMUL,
        "matmul mm bmm mv dot vdot inner outer ger kron tensordot cdist solve linear "
        "addmm addmv addr addbmm baddbmm chain_matmul multi_dot lstsq bilinear "
        "cholesky_solve lu_solve triangular_solve solve_triangular tensorsolve "
        "vecdot",
    ),
    **_each(
        GROW,
        "index_select broadcast_to meshgrid cartesian_prod tile diag diag_embed expand "
        "repeat one_hot pad conv1d conv2d combinations histogram bincount nonzero "
        "argwhere repeat_interleave masked_select block_diag diagflat cov corrcoef "
        # The input and the indices broadcast in every dimension but `dim`,
        # which broadcast_shapes cannot tell: shaped on meta.
        "take_along_dim",
    ),
    # Writes through advanced indexing: as many positions as the index
    # tensors broadcast to (index_put_ named too: an in-place twin of a
    # reviewed name would otherwise be shaped on meta, which sees only the
    # result).
    **_each(INDEX, "index_put index_put_"),
    **_each(
        CONCAT,
        "cat concat concatenate stack hstack vstack dstack column_stack row_stack",
    ),
    **_each(
        PIECES,
        "split chunk unbind tensor_split hsplit vsplit dsplit split_with_sizes "
        "unsafe_split unsafe_chunk unsafe_split_with_sizes split_copy unbind_copy "
        "split_with_sizes_copy",
    ),
    # Elementwise over several tensors: the broadcast shape.
    **_each(
        BROADCAST,
        "add sub subtract div divide pow clamp clip where lerp addcmul addcdiv dist "
        "masked_fill atan2 arctan2 maximum minimum fmax fmin fmod remainder hypot "
        "logaddexp logaddexp2 heaviside copysign xlogy mul multiply true_divide "
        "floor_divide eq ne lt le gt ge greater greater_equal less less_equal not_equal "
        "logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor "
        "float_power nextafter mse_loss l1_loss smooth_l1_loss "
        "huber_loss cross_entropy nll_loss binary_cross_entropy "
        "binary_cross_entropy_with_logits kl_div cosine_similarity pairwise_distance "
        "binomial",
    ),
    # Never larger than their largest argument (sorts, selections, reductions,
    # views, conversions), or no tensor at all.
    **_each(
        SHRINK,
        "abs absolute acos arccos acosh arccosh asin arcsin asinh arcsinh atan arctan "
        "atanh arctanh ceil floor trunc fix frac cos cosh sin sinh tan tanh exp exp2 "
        "expm1 log log2 log10 log1p sqrt rsqrt square sigmoid relu sign sgn signbit "
        "neg negative reciprocal erf erfc erfinv lgamma digamma deg2rad rad2deg isnan "
        "isinf isfinite isposinf isneginf isreal logical_not bitwise_not sinc angle "
        "conj positive round nan_to_num logit sum nansum mean nanmean prod amax amin "
        "aminmax argmax argmin norm std var std_mean var_mean median nanmedian mode "
        "logsumexp cumsum cumprod cummax cummin all any count_nonzero softmax "
        "log_softmax sort argsort msort topk kthvalue unique trace diff numel det "
        "inverse inv reshape flatten squeeze unsqueeze transpose swapaxes swapdims "
        "permute t movedim moveaxis flip fliplr flipud roll narrow select gather take "
        "diagonal tril triu clone detach item tolist float double half "
        "long int bool short char byte bfloat16 cfloat cdouble chalf cpu contiguous type_as "
        "size dim ndimension nelement element_size is_contiguous view view_as "
        "reshape_as requires_grad_ retain_grad zero_ fill_ scatter scatter_add "
        "index_add index_copy index_fill index_reduce scatter_reduce detach_ "
        "is_tensor is_floating_point is_complex is_conj is_neg is_nonzero is_signed "
        "is_same_size allclose equal isclose isin lobpcg "
        "vector_norm matrix_norm frexp ravel adjoint relu6 leaky_relu elu selu celu gelu "
        "silu mish softplus softsign hardtanh hardsigmoid hardswish logsigmoid "
        "tanhshrink softmin normalize dropout max_pool1d max_pool2d avg_pool1d "
        "avg_pool2d geqrf zeros_like ones_like full_like rand_like randn_like "
        "randint_like uniform_ normal_ bernoulli_ random_ exponential_ cauchy_ "
        "log_normal_ geometric_ fill_diagonal_ masked_fill_ index_fill_ index_copy_ "
        "index_add_ scatter_ scatter_add_ put_ clamp_min_ clamp_max_",
    ),
}
# The same name can mean another size in another namespace.
PATH_BOUNDS: dict[str, str] = {
    "torch.nn.functional.pad": GROW,
    "torch.linalg.cross": BROADCAST,
    "torch.cross": BROADCAST,
    "torch.Tensor.expand_as": BROADCAST,
    "torch.Tensor.masked_fill": BROADCAST,
    "torch.Tensor.copy_": BROADCAST,
    "torch.Tensor.new_tensor": DATA,  # the data is the first argument after the tensor
    "torch.Tensor.new_zeros": GROW,
    "torch.Tensor.new_ones": GROW,
    "torch.Tensor.new_full": GROW,
}

# Handled by name in the evaluator (app.evaluate.calls SPECIALS and
# METHOD_SPECIALS, app.evaluate.transforms, app.evaluate.devices).
SPECIALS: dict[str, str] = {
    "torch.tensor": "tensor",
    "torch.as_tensor": "tensor",
    "torch.Tensor": "legacy_tensor",
    "torch.manual_seed": "manual_seed",
    "torch.no_grad": "no_grad",
    "torch.enable_grad": "enable_grad",
    "torch.inference_mode": "inference_mode",
    "torch.is_grad_enabled": "is_grad_enabled",
    "torch.device": "device",
    "torch.finfo": "finfo",
    "torch.iinfo": "iinfo",
    "torch.autograd.grad": "grad",
    "torch.autograd.backward": "backward",
    "torch.autograd.no_grad": "no_grad",
    "torch.autograd.enable_grad": "enable_grad",
    "torch.autograd.inference_mode": "inference_mode",
    "torch.autograd.Variable": "variable",
    "torch.autograd.Function": "base_class",  # class Exp(torch.autograd.Function)
    "torch.Tensor.backward": "backward_method",
    "torch.Tensor.to": "to",
    "torch.Tensor.cuda": "cuda",
    "torch.Tensor.type": "type",
    "torch.Tensor.register_hook": "register_hook",
    "torch.Tensor.register_post_accumulate_grad_hook": "register_post_accumulate_grad_hook",
    **{
        f"torch.func.{name}": "func"
        for name in "grad grad_and_value vmap jacrev jacfwd hessian jvp vjp".split()
    },
    **{
        f"torch.autograd.functional.{name}": "functional"
        for name in "jacobian hessian vjp jvp hvp vhp".split()
    },
}

# Keywords of specials whose signatures say more than the evaluator takes.
KEYWORDS: dict[str, str] = {
    "torch.tensor": "data dtype requires_grad device",
    "torch.as_tensor": "data dtype device",
    "torch.Tensor": "",
    "torch.manual_seed": "seed",
    "torch.no_grad": "",
    "torch.enable_grad": "",
    "torch.inference_mode": "mode",
    "torch.autograd.no_grad": "",
    "torch.autograd.enable_grad": "",
    "torch.autograd.inference_mode": "mode",
    "torch.device": "type index",
    "torch.finfo": "type",
    "torch.iinfo": "type",
    "torch.autograd.Variable": "requires_grad",
    "torch.autograd.Function": "",
    "torch.Tensor.to": "dtype device non_blocking copy",
    "torch.Tensor.cuda": "device non_blocking",
    "torch.Tensor.type": "dtype non_blocking",
    "torch.Tensor.register_hook": "hook",
    "torch.Tensor.register_post_accumulate_grad_hook": "hook",
}

# Python functions (no operator of their own to tag) that draw from the
# generator; tests/parse/test_torch_surface.py reads every allowed Python
# function's source for the kernels that draw, so none is missed.
RANDOM = frozenset(
    {
        "torch.nn.functional.dropout",
        "torch.nn.functional.dropout1d",
        "torch.nn.functional.dropout2d",
        "torch.nn.functional.dropout3d",
        "torch.nn.functional.alpha_dropout",
        "torch.nn.functional.feature_alpha_dropout",
        "torch.nn.functional.gumbel_softmax",
        "torch.nn.functional.rrelu",
        "torch.nn.functional.fractional_max_pool2d",
        "torch.nn.functional.fractional_max_pool3d",
        "torch.nn.functional.fractional_max_pool2d_with_indices",
        "torch.nn.functional.fractional_max_pool3d_with_indices",
        "torch.svd_lowrank",
        "torch.pca_lowrank",
        "torch.lobpcg",
        "torch.nn.functional.multi_head_attention_forward",
    }
)
