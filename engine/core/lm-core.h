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

/* Memory profiling (lm_set_op_memory): the allocator's counts for this
 * thread by device slot (0 CPU, 1 CUDA), kept by tensor.c while profiling
 * is on: bytes allocated and freed so far, and the most bytes allocated on
 * the slot's devices since autograd.c last set `peak` (at an op's start). */
typedef struct {
  int64_t alloc, freed, peak;
} lm_mem_counter;
#define LM_MEM_SLOTS 2
extern _Thread_local lm_mem_counter lm_mem_counts[LM_MEM_SLOTS];
static inline int lm_mem_slot(lm_device d)
{
  return d.type == LM_DEVICE_CUDA ? 1 : 0;
}
int64_t lm_mem_live(int slot);
