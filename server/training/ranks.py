"""Where this trainer process stands in a launch of several (`launcher: accelerate`): the
launcher (torchrun underneath) gives each rank LOCAL_RANK and WORLD_SIZE; alone, it is rank 0
of 1."""

from __future__ import annotations

import os

import torch


def local_rank() -> int:
    """This process's index on this machine: its GPU."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def any_rank(flag: bool, device: torch.device) -> bool:
    """Whether `flag` is set on any rank. Every rank must call it at the same point: a cancel
    reaches the ranks a moment apart, and a rank that stopped a step before the others would
    leave them waiting in that step's gradient all-reduce for ever."""
    if not torch.distributed.is_initialized() or torch.distributed.get_world_size() < 2:
        return flag
    value = torch.tensor([int(flag)], device=device)
    torch.distributed.all_reduce(value, op=torch.distributed.ReduceOp.MAX)
    return bool(value.item())
