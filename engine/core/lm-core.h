/* lm-core.h: functions shared between the files of engine/core/ only
 * (tensor lifetime <-> autograd nodes). Ops use lm-engine-private.h instead. */
#pragma once

#include <stdatomic.h>

#include "lm-engine-private.h"

/* Drops one reference to a node; at zero, releases its inputs, saved tensors
 * and scratch gradient (through lm_tensor_release, which never recurses deeply). */
void lm_node_release(lm_node *node);
/* Called by the backward pass and tests: releases saved tensors. */
void lm_node_free_saved(lm_node *node);
bool lm_hooks_muted(void);

/* Live autograd nodes (defined in tensor.c, counted by autograd.c). */
extern _Atomic int64_t lm_live_nodes_counter;
