#pragma once
#include <stdint.h>
#include <stdlib.h>
#include "llama.h"
#include "ggml-cpu.h"

// An abort flag: Go sets it while llama.cpp's compute threads poll it, so it is a C11 atomic touched only by
// these functions. Opaque to Go (cgo does not handle _Atomic types); free it with free().
struct chimera_abort;

void chimera_log_install(void);
void chimera_log_install_base(const char * path);
void chimera_ggml_abort_install(int exit_status);
uintptr_t chimera_thread(void);
void chimera_set_progress(struct llama_model_params * params, uintptr_t handle);
struct chimera_abort * chimera_abort_new(void);
void chimera_abort_store(struct chimera_abort * flag, int value);
void chimera_set_abort(struct llama_context_params * params, struct chimera_abort * flag);
const char * chimera_dlcheck(const char * path);
int chimera_all_finite(const float * values, int32_t n);
ggml_threadpool_t chimera_threadpool_new(int n_threads);
llama_token chimera_sample(struct llama_sampler * chain, const float * logits, int32_t n_vocab, int32_t keep,
                           llama_token_data * scratch);

// A Vulkan physical device: uuid as ggml-vulkan formats its device id, type a VkPhysicalDeviceType.
#define CHIMERA_VK_MAX_DEVICES 16
struct chimera_vk_device {
    char uuid[37];
    int type;
    char driver_name[256];
    char driver_info[256];
};
// Fills out with the Vulkan devices and returns their count, or -1 without a Vulkan loader or instance.
int chimera_vk_devices(struct chimera_vk_device out[CHIMERA_VK_MAX_DEVICES]);
