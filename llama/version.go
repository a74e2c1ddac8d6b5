package llama

/*
#include "chimera_llama_cpp_commit.h"
static const char * chimera_llama_cpp_commit(void) { return CHIMERA_LLAMA_CPP_COMMIT; }

// The instruction sets the C code was compiled for: this package and llama.cpp share the cgo flags.
static int chimera_has_avx2(void) {
#ifdef __AVX2__
    return 1;
#else
    return 0;
#endif
}
static int chimera_has_fma(void) {
#ifdef __FMA__
    return 1;
#else
    return 0;
#endif
}
static int chimera_has_avx512f(void) {
#ifdef __AVX512F__
    return 1;
#else
    return 0;
#endif
}
static int chimera_is_optimized(void) {
#ifdef __OPTIMIZE__
    return 1;
#else
    return 0;
#endif
}
*/
import "C"

// LlamaCppCommit is the llama.cpp commit the pinned module vendors, read from the module when the headers are
// copied (third_party/sync-headers.sh).
func LlamaCppCommit() string { return C.GoString(C.chimera_llama_cpp_commit()) }

// CompiledFor lists what the C code was compiled with: the x86 extensions ggml's kernels can use (AVX2, FMA,
// AVX512F) and "optimized" for -O1 or more. A build without the Makefile's cgo flags has none of them.
func CompiledFor() []string {
	var features []string
	for _, f := range []struct {
		name string
		on   C.int
	}{{"AVX2", C.chimera_has_avx2()}, {"FMA", C.chimera_has_fma()}, {"AVX512F", C.chimera_has_avx512f()}, {"optimized", C.chimera_is_optimized()}} {
		if f.on != 0 {
			features = append(features, f.name)
		}
	}
	return features
}
