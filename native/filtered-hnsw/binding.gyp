{
  "targets": [
    {
      "target_name": "filtered_hnsw",
      "sources": ["filtered_hnsw.cpp"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../../node_modules/usearch/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "USEARCH_USE_NUMKONG=0", "USEARCH_USE_OPENMP=0"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp-simd", "-Wno-unknown-pragmas", "-Wno-maybe-uninitialized"]
    },
    {
      "target_name": "exact_topk",
      "sources": ["exact_topk.cpp"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp-simd", "-Wno-unknown-pragmas"]
    }
  ]
}
