"""Apply a one-point kernel to broadcast arrays with ``jax.vmap`` (GUIDE §4.3).

Scalar arguments are passed unbatched (``in_axes=None``) so they are not materialized at the full
shape; every other argument is broadcast to the common shape and flattened into one batch axis.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def pointwise(kernel, *args):
    """``kernel(*scalars) -> pytree of scalars`` evaluated over the broadcast of ``args``."""
    arrs = [jnp.asarray(a) for a in args]
    shape = jnp.broadcast_shapes(*(a.shape for a in arrs))
    if not shape:
        return kernel(*arrs)
    flat = [None if a.ndim == 0 else jnp.broadcast_to(a, shape).reshape(-1) for a in arrs]
    in_axes = tuple(None if f is None else 0 for f in flat)
    call = [a if f is None else f for a, f in zip(arrs, flat)]
    out = jax.vmap(kernel, in_axes=in_axes)(*call)
    return jax.tree_util.tree_map(lambda x: x.reshape(shape + x.shape[1:]), out)
