// In-graph filtered HNSW search over an index file saved by usearch (the `usearch` npm
// package's own binding has no predicate search). The index is opened as a memory-mapped
// view of the same file the segment saved, and searched with usearch's filtered_search:
// the walk goes through every node but only positions set in the caller's bitmap enter the
// result, so a selective filter still yields k matching positions in one search.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include <immintrin.h>

#include <usearch/index_dense.hpp>

using namespace unum::usearch;

namespace {

using distance_t = float;

// Distances with SIMD clones chosen at load time (usearch's numkong backend is not
// compiled here: it writes probe files into its package). Same values as usearch's own
// l2sq / cos metrics up to float rounding; only the ranking inside the walk uses them.
__attribute__((target_clones("avx2", "default"))) distance_t l2sq(std::size_t a, std::size_t b, std::size_t n) {
  float const* x = reinterpret_cast<float const*>(a);
  float const* y = reinterpret_cast<float const*>(b);
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; i++) {
    float d = x[i] - y[i];
    s += d * d;
  }
  return s;
}

__attribute__((target_clones("avx2", "default"))) distance_t cosine(std::size_t a, std::size_t b, std::size_t n) {
  float const* x = reinterpret_cast<float const*>(a);
  float const* y = reinterpret_cast<float const*>(b);
  float ab = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : ab, aa, bb)
  for (std::size_t i = 0; i < n; i++) {
    ab += x[i] * y[i];
    aa += x[i] * x[i];
    bb += y[i] * y[i];
  }
  if (aa == 0 && bb == 0) return 0;
  if (aa == 0 || bb == 0) return 1;
  return 1 - ab / std::sqrt(aa * bb);
}

// Quantized indexes (CREATE INDEX … WITH (quantization = …)). usearch's own kernels for
// them are plain loops here (no numkong): half floats converted one by one in software,
// bytes and bits without the instructions made for them.

// f16 with F16C conversions, chosen at load time when the CPU has them (else usearch's loop).
__attribute__((target("avx2,f16c,fma"))) static float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,f16c,fma"))) distance_t l2sq_f16(std::size_t a, std::size_t b, std::size_t n) {
  std::uint16_t const* x = reinterpret_cast<std::uint16_t const*>(a);
  std::uint16_t const* y = reinterpret_cast<std::uint16_t const*>(b);
  __m256 acc = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<__m128i const*>(x + i))),
                             _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<__m128i const*>(y + i))));
    acc = _mm256_fmadd_ps(d, d, acc);
  }
  float s = hsum256(acc);
  for (; i < n; i++) {
    float d = _cvtsh_ss(x[i]) - _cvtsh_ss(y[i]);
    s += d * d;
  }
  return s;
}

__attribute__((target("avx2,f16c,fma"))) distance_t cosine_f16(std::size_t a, std::size_t b, std::size_t n) {
  std::uint16_t const* x = reinterpret_cast<std::uint16_t const*>(a);
  std::uint16_t const* y = reinterpret_cast<std::uint16_t const*>(b);
  __m256 ab8 = _mm256_setzero_ps(), aa8 = _mm256_setzero_ps(), bb8 = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 xa = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<__m128i const*>(x + i)));
    __m256 yb = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<__m128i const*>(y + i)));
    ab8 = _mm256_fmadd_ps(xa, yb, ab8);
    aa8 = _mm256_fmadd_ps(xa, xa, aa8);
    bb8 = _mm256_fmadd_ps(yb, yb, bb8);
  }
  float ab = hsum256(ab8), aa = hsum256(aa8), bb = hsum256(bb8);
  for (; i < n; i++) {
    float xa = _cvtsh_ss(x[i]), yb = _cvtsh_ss(y[i]);
    ab += xa * yb;
    aa += xa * xa;
    bb += yb * yb;
  }
  if (aa == 0 && bb == 0) return 0;
  if (aa == 0 || bb == 0) return 1;
  return 1 - ab / std::sqrt(aa * bb);
}

// i8 (Quiver's centered bytes, ranked by L2): exact in 32-bit integers, as usearch's own.
__attribute__((target_clones("avx2", "default"))) distance_t l2sq_i8(std::size_t a, std::size_t b, std::size_t n) {
  std::int8_t const* x = reinterpret_cast<std::int8_t const*>(a);
  std::int8_t const* y = reinterpret_cast<std::int8_t const*>(b);
  std::int32_t s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; i++) {
    std::int16_t d = static_cast<std::int16_t>(x[i]) - static_cast<std::int16_t>(y[i]);
    s += static_cast<std::int32_t>(d) * static_cast<std::int32_t>(d);
  }
  return static_cast<distance_t>(s);
}

// b1: Hamming distance over `n` bytes, 64 bits at a time.
__attribute__((target_clones("popcnt", "default"))) distance_t hamming_b1(std::size_t a, std::size_t b, std::size_t n) {
  std::uint8_t const* x = reinterpret_cast<std::uint8_t const*>(a);
  std::uint8_t const* y = reinterpret_cast<std::uint8_t const*>(b);
  std::uint64_t s = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t u, v;
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    s += __builtin_popcountll(u ^ v);
  }
  for (; i < n; i++) s += __builtin_popcount(static_cast<unsigned>(x[i] ^ y[i]));
  return static_cast<distance_t>(s);
}


// L1 (pgvector's <+>), which usearch has no metric for: indexes of `vector_l1_ops` /
// `halfvec_l1_ops` are built here (CustomBuilder) with these kernels, saved with metric kind "unknown",
// and viewed again with the opener naming the metric.
__attribute__((target_clones("avx2", "default"))) distance_t l1(std::size_t a, std::size_t b, std::size_t n) {
  float const* x = reinterpret_cast<float const*>(a);
  float const* y = reinterpret_cast<float const*>(b);
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; i++) s += std::fabs(x[i] - y[i]);
  return s;
}

// f16 without F16C: usearch's own conversion, one scalar at a time
distance_t l1_f16_serial(std::size_t a, std::size_t b, std::size_t n) {
  f16_t const* x = reinterpret_cast<f16_t const*>(a);
  f16_t const* y = reinterpret_cast<f16_t const*>(b);
  float s = 0;
  for (std::size_t i = 0; i < n; i++) s += std::fabs(float(x[i]) - float(y[i]));
  return s;
}

__attribute__((target("avx2,f16c,fma"))) distance_t l1_f16(std::size_t a, std::size_t b, std::size_t n) {
  std::uint16_t const* x = reinterpret_cast<std::uint16_t const*>(a);
  std::uint16_t const* y = reinterpret_cast<std::uint16_t const*>(b);
  __m256 const sign = _mm256_set1_ps(-0.0f);
  __m256 acc = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<__m128i const*>(x + i))),
                             _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<__m128i const*>(y + i))));
    acc = _mm256_add_ps(acc, _mm256_andnot_ps(sign, d));
  }
  float s = hsum256(acc);
  for (; i < n; i++) s += std::fabs(_cvtsh_ss(x[i]) - _cvtsh_ss(y[i]));
  return s;
}

// i8 (Quiver's centered bytes, one scale for the segment: L1 scaled by it), exact in integers
__attribute__((target_clones("avx2", "default"))) distance_t l1_i8(std::size_t a, std::size_t b, std::size_t n) {
  std::int8_t const* x = reinterpret_cast<std::int8_t const*>(a);
  std::int8_t const* y = reinterpret_cast<std::int8_t const*>(b);
  std::int32_t s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; i++) {
    std::int32_t d = static_cast<std::int32_t>(x[i]) - static_cast<std::int32_t>(y[i]);
    s += d < 0 ? -d : d;
  }
  return static_cast<distance_t>(s);
}

using kernel_t = distance_t (*)(std::size_t, std::size_t, std::size_t);

/** The L1 kernel for a stored scalar kind (null: none). */
kernel_t l1_kernel(scalar_kind_t scalar) {
  bool f16c = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("fma");
  switch (scalar) {
    case scalar_kind_t::f32_k: return &l1;
    case scalar_kind_t::f16_k: return f16c ? &l1_f16 : &l1_f16_serial;
    case scalar_kind_t::i8_k: return &l1_i8;
    default: return nullptr;
  }
}


// Sparse vectors (pgvector's sparsevec, HNSW limited to 1,000 non-zero elements): each
// stored in a fixed slot of n = 1 + 2 * cap 32-bit words, [nnz, indices (ascending u32) …,
// values (f32) …], cap being the segment's largest nnz (src/ann/sparse-hnsw.ts packs it).
// Distances merge the two index lists, as pgvector's sparsevec.c does.
struct sparse_view_t {
  std::uint32_t nnz;
  std::uint32_t const* idx;
  float const* val;
};

inline sparse_view_t sparse_view(std::size_t p, std::size_t n) {
  std::uint32_t const* w = reinterpret_cast<std::uint32_t const*>(p);
  std::size_t cap = (n - 1) / 2;
  std::uint32_t nnz = w[0] > cap ? static_cast<std::uint32_t>(cap) : w[0];
  return {nnz, w + 1, reinterpret_cast<float const*>(w + 1 + cap)};
}

inline float sparse_norm2(sparse_view_t const& x) {
  float s = 0;
  for (std::uint32_t i = 0; i < x.nnz; i++) s += x.val[i] * x.val[i];
  return s;
}

inline float sparse_dot(sparse_view_t const& x, sparse_view_t const& y) {
  float s = 0;
  for (std::uint32_t i = 0, j = 0; i < x.nnz && j < y.nnz;) {
    if (x.idx[i] == y.idx[j]) s += x.val[i++] * y.val[j++];
    else if (x.idx[i] < y.idx[j]) i++;
    else j++;
  }
  return s;
}

distance_t sparse_l2sq(std::size_t a, std::size_t b, std::size_t n) {
  sparse_view_t x = sparse_view(a, n), y = sparse_view(b, n);
  float s = 0;
  std::uint32_t i = 0, j = 0;
  while (i < x.nnz && j < y.nnz) {
    if (x.idx[i] == y.idx[j]) {
      float d = x.val[i++] - y.val[j++];
      s += d * d;
    } else if (x.idx[i] < y.idx[j]) {
      s += x.val[i] * x.val[i];
      i++;
    } else {
      s += y.val[j] * y.val[j];
      j++;
    }
  }
  for (; i < x.nnz; i++) s += x.val[i] * x.val[i];
  for (; j < y.nnz; j++) s += y.val[j] * y.val[j];
  return s;
}

distance_t sparse_l1(std::size_t a, std::size_t b, std::size_t n) {
  sparse_view_t x = sparse_view(a, n), y = sparse_view(b, n);
  float s = 0;
  std::uint32_t i = 0, j = 0;
  while (i < x.nnz && j < y.nnz) {
    if (x.idx[i] == y.idx[j]) s += std::fabs(x.val[i++] - y.val[j++]);
    else if (x.idx[i] < y.idx[j]) s += std::fabs(x.val[i++]);
    else s += std::fabs(y.val[j++]);
  }
  for (; i < x.nnz; i++) s += std::fabs(x.val[i]);
  for (; j < y.nnz; j++) s += std::fabs(y.val[j]);
  return s;
}

distance_t sparse_cos(std::size_t a, std::size_t b, std::size_t n) {
  sparse_view_t x = sparse_view(a, n), y = sparse_view(b, n);
  float aa = sparse_norm2(x), bb = sparse_norm2(y);
  if (aa == 0 && bb == 0) return 0;
  if (aa == 0 || bb == 0) return 1;
  return 1 - sparse_dot(x, y) / std::sqrt(aa * bb);
}

/** A metric the addon builds indexes with (usearch's binding builds the others). */
struct custom_metric_t {
  kernel_t kernel;
  bool ok;
};

/** 'l1' (dense, any stored scalar the kernel has) or 'sparse-l2sq' | 'sparse-cos' | 'sparse-l1' (f32 slots). */
custom_metric_t custom_kernel(std::string const& name, scalar_kind_t scalar) {
  if (name == "l1") return {l1_kernel(scalar), l1_kernel(scalar) != nullptr};
  if (scalar != scalar_kind_t::f32_k) return {nullptr, false};
  if (name == "sparse-l2sq") return {&sparse_l2sq, true};
  if (name == "sparse-cos") return {&sparse_cos, true};
  if (name == "sparse-l1") return {&sparse_l1, true};
  return {nullptr, false};
}

metric_punned_t custom_metric(std::size_t dims, kernel_t kernel, scalar_kind_t scalar) {
  return metric_punned_t::stateless(dims, reinterpret_cast<std::uintptr_t>(kernel),
                                    metric_punned_signature_t::array_array_size_k, metric_kind_t::unknown_k, scalar);
}

scalar_kind_t scalar_named(std::string const& name) {
  if (name == "f32") return scalar_kind_t::f32_k;
  if (name == "f16") return scalar_kind_t::f16_k;
  if (name == "i8") return scalar_kind_t::i8_k;
  return scalar_kind_t::unknown_k;
}

// Builds an index on one of the addon's own metrics (custom_kernel): add in pieces, then save.
class CustomBuilder : public Napi::ObjectWrap<CustomBuilder> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "CustomBuilder",
                       {InstanceMethod("add", &CustomBuilder::Add), InstanceMethod("save", &CustomBuilder::Save),
                        InstanceAccessor("size", &CustomBuilder::Size, nullptr)});
  }

  // new CustomBuilder(dimensions, metric, scalar 'f32' | 'f16' | 'i8', connectivity, expansionAdd)
  explicit CustomBuilder(Napi::CallbackInfo const& info) : Napi::ObjectWrap<CustomBuilder>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsString() || !info[3].IsNumber() || !info[4].IsNumber()) {
      Napi::TypeError::New(env, "CustomBuilder(dimensions, metric, scalar, connectivity, expansionAdd)").ThrowAsJavaScriptException();
      return;
    }
    std::size_t dims = info[0].As<Napi::Number>().Uint32Value();
    scalar_kind_t scalar = scalar_named(info[2].As<Napi::String>());
    custom_metric_t metric = custom_kernel(info[1].As<Napi::String>(), scalar);
    if (dims == 0 || !metric.ok) {
      Napi::TypeError::New(env, "CustomBuilder: bad dimensions, metric or scalar kind").ThrowAsJavaScriptException();
      return;
    }
    index_dense_config_t config(info[3].As<Napi::Number>().Uint32Value(), info[4].As<Napi::Number>().Uint32Value(), 40);
    auto made = index_dense_t::make(custom_metric(dims, metric.kernel, scalar), config, default_free_value<default_key_t>(), index_limits_t(0, 1));
    if (!made) {
      Napi::Error::New(env, std::string("cannot make index: ") + made.error.release()).ThrowAsJavaScriptException();
      return;
    }
    index_.reset(new index_dense_t(std::move(made.index)));
  }

 private:
  std::unique_ptr<index_dense_t> index_;

  Napi::Value Size(Napi::CallbackInfo const& info) {
    return Napi::Number::New(info.Env(), index_ ? static_cast<double>(index_->size()) : 0);
  }

  // add(keys: BigUint64Array, vectors: Float32Array | Int8Array (i8), threads)
  Napi::Value Add(Napi::CallbackInfo const& info) {
    Napi::Env env = info.Env();
    if (!index_ || info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "add(keys, vectors, threads)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::BigUint64Array keys = info[0].As<Napi::BigUint64Array>();
    Napi::TypedArray typed = info[1].As<Napi::TypedArray>();
    std::size_t tasks = keys.ElementLength();
    std::size_t dims = index_->dimensions();
    bool bytes = typed.TypedArrayType() == napi_int8_array;
    if ((!bytes && typed.TypedArrayType() != napi_float32_array) || typed.ElementLength() != tasks * dims ||
        bytes != (index_->scalar_kind() == scalar_kind_t::i8_k)) {
      Napi::TypeError::New(env, "vectors do not match the keys or the index").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::size_t threads = std::max<std::size_t>(1, info[2].As<Napi::Number>().Uint32Value());
    if (!index_->try_reserve(index_limits_t(index_->size() + tasks, threads))) {
      Napi::Error::New(env, "cannot reserve memory for the index").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::atomic<bool> failed{false};
    auto run = [&](auto const* vectors) {
      executor_default_t executor{threads};
      executor.fixed(tasks, [&](std::size_t thread, std::size_t task) {
        if (failed.load()) return;
        auto added = index_->add(static_cast<default_key_t>(keys[task]), vectors + task * dims, thread);
        if (!added) {
          added.error.release();
          failed.store(true);
        }
      });
    };
    if (bytes) run(reinterpret_cast<i8_t const*>(typed.As<Napi::Int8Array>().Data()));
    else run(typed.As<Napi::Float32Array>().Data());
    if (failed) Napi::Error::New(env, "adding to the index failed").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value Save(Napi::CallbackInfo const& info) {
    Napi::Env env = info.Env();
    if (!index_ || info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "save(path)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string path = info[0].As<Napi::String>();
    auto saved = index_->save(path.c_str());
    if (!saved) Napi::Error::New(env, std::string("cannot save index: ") + saved.error.release()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
};

class FilteredIndex : public Napi::ObjectWrap<FilteredIndex> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "FilteredIndex",
                       {InstanceMethod("search", &FilteredIndex::Search), InstanceMethod("close", &FilteredIndex::Close),
                        InstanceAccessor("size", &FilteredIndex::Size, nullptr),
                        InstanceAccessor("dimensions", &FilteredIndex::Dimensions, nullptr)});
  }

  // new FilteredIndex(path, metric?): a view of a saved index file; metric: a
  // CustomBuilder's metric for its file (saved with metric kind "unknown")
  explicit FilteredIndex(Napi::CallbackInfo const& info) : Napi::ObjectWrap<FilteredIndex>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "FilteredIndex(path, metric?)").ThrowAsJavaScriptException();
      return;
    }
    std::string custom = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
    std::string path = info[0].As<Napi::String>();
    auto made = index_dense_t::make(path.c_str(), true);
    if (!made) {
      Napi::Error::New(env, std::string("cannot view index file: ") + made.error.release()).ThrowAsJavaScriptException();
      return;
    }
    index_.reset(new index_dense_t(std::move(made.index)));
    if (!index_->try_reserve(index_limits_t(index_->size(), 1))) {
      Napi::Error::New(env, "cannot reserve search context").ThrowAsJavaScriptException();
      return;
    }
    std::size_t dims = index_->dimensions();
    scalar_kind_t scalar = index_->scalar_kind();
    metric_kind_t metric = index_->metric_kind();
    auto use = [&](distance_t (*kernel)(std::size_t, std::size_t, std::size_t)) {
      index_->change_metric(metric_punned_t::stateless(dims, reinterpret_cast<std::uintptr_t>(kernel),
                                                       metric_punned_signature_t::array_array_size_k, metric, scalar));
    };
    custom_metric_t own = custom_kernel(custom, scalar);
    if (!custom.empty() != (metric == metric_kind_t::unknown_k) || (!custom.empty() && !own.ok)) {
      index_.reset();
      Napi::Error::New(env, "index file and metric differ").ThrowAsJavaScriptException();
      return;
    }
    if (own.ok) {
      index_->change_metric(custom_metric(dims, own.kernel, scalar));
      return;
    }
    bool f16c = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("fma");
    if (scalar == scalar_kind_t::f32_k && metric == metric_kind_t::l2sq_k) use(&l2sq);
    else if (scalar == scalar_kind_t::f32_k && metric == metric_kind_t::cos_k) use(&cosine);
    else if (scalar == scalar_kind_t::f16_k && metric == metric_kind_t::l2sq_k && f16c) use(&l2sq_f16);
    else if (scalar == scalar_kind_t::f16_k && metric == metric_kind_t::cos_k && f16c) use(&cosine_f16);
    else if (scalar == scalar_kind_t::i8_k && metric == metric_kind_t::l2sq_k) use(&l2sq_i8);
    else if (scalar == scalar_kind_t::b1x8_k && metric == metric_kind_t::hamming_k) use(&hamming_b1);
  }

 private:
  std::unique_ptr<index_dense_t> index_;

  Napi::Value Size(Napi::CallbackInfo const& info) {
    return Napi::Number::New(info.Env(), index_ ? static_cast<double>(index_->size()) : 0);
  }
  Napi::Value Dimensions(Napi::CallbackInfo const& info) {
    return Napi::Number::New(info.Env(), index_ ? static_cast<double>(index_->dimensions()) : 0);
  }

  Napi::Value Close(Napi::CallbackInfo const& info) {
    index_.reset();
    return info.Env().Undefined();
  }

  // search(query: Float32Array, k, ef, allowed?: Uint8Array bitmap by position, budget?: filter checks)
  //   → { positions: Int32Array, distances: Float32Array, computed, visited, exhausted }
  Napi::Value Search(Napi::CallbackInfo const& info) {
    Napi::Env env = info.Env();
    if (!index_) {
      Napi::Error::New(env, "index is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "search(query, k, ef, allowed?)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // floats (f32, f16 and b1 indexes: usearch casts), or bytes taken as they are (i8)
    Napi::TypedArray typed = info[0].As<Napi::TypedArray>();
    bool bytes = typed.TypedArrayType() == napi_int8_array;
    if ((!bytes && typed.TypedArrayType() != napi_float32_array) || typed.ElementLength() != index_->dimensions()) {
      Napi::TypeError::New(env, "query dimensions or type differ from the index").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::size_t k = info[1].As<Napi::Number>().Uint32Value();
    std::size_t ef = info[2].As<Napi::Number>().Uint32Value();
    index_->change_expansion_search(ef > k ? ef : k);
    if (bytes) return SearchAs(env, info, reinterpret_cast<i8_t const*>(typed.As<Napi::Int8Array>().Data()), k);
    return SearchAs(env, info, typed.As<Napi::Float32Array>().Data(), k);
  }

  template <typename scalar_at>
  Napi::Value SearchAs(Napi::Env env, Napi::CallbackInfo const& info, scalar_at const* query, std::size_t k) {

    if (info.Length() > 3 && info[3].IsTypedArray()) {
      Napi::Uint8Array bits = info[3].As<Napi::Uint8Array>();
      double budget = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : 0;
      Filter filter{bits.Data(), bits.ElementLength() * 8, budget > 0 ? static_cast<std::size_t>(budget) : SIZE_MAX};
      // The predicate cannot stop the walk. Once the budget of filter checks is spent it
      // admits every node: the result list then fills, its radius shrinks and the walk ends
      // soon; the caller is told (exhausted) and searches the matching rows exactly instead.
      auto allowed = [&filter](default_key_t key) noexcept {
        if (filter.checks >= filter.budget) return true;
        filter.checks++;
        return filter.has(static_cast<std::size_t>(key));
      };
      auto result = index_->filtered_search(query, k, allowed);
      return Pack(env, result, &filter);
    }
    return Pack(env, index_->search(query, k), nullptr);
  }

  struct Filter {
    uint8_t const* bits;
    std::size_t nbits;
    std::size_t budget;
    std::size_t checks = 0;
    bool has(std::size_t p) const { return p < nbits && ((bits[p >> 3] >> (p & 7)) & 1); }
    bool exhausted() const { return checks >= budget; }
  };

  // { positions, distances } of the result (only positions the filter allows), with the
  // work done: distances computed and, for a filtered search, whether the budget ran out.
  static Napi::Value Pack(Napi::Env env, index_dense_t::search_result_t const& result, Filter const* filter) {
    if (!result) {
      Napi::Error::New(env, std::string("search failed: ") + result.error.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::size_t n = result.size();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; i++)
      if (!filter || filter->has(static_cast<std::size_t>(result[i].member.key))) kept++;
    Napi::Int32Array positions = Napi::Int32Array::New(env, kept);
    Napi::Float32Array distances = Napi::Float32Array::New(env, kept);
    for (std::size_t i = 0, j = 0; i < n; i++) {
      auto m = result[i];
      if (filter && !filter->has(static_cast<std::size_t>(m.member.key))) continue;
      positions[j] = static_cast<int32_t>(m.member.key);
      distances[j++] = m.distance;
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("positions", positions);
    out.Set("distances", distances);
    out.Set("computed", Napi::Number::New(env, static_cast<double>(result.computed_distances)));
    out.Set("visited", Napi::Number::New(env, static_cast<double>(result.visited_members)));
    out.Set("exhausted", Napi::Boolean::New(env, filter && filter->exhausted()));
    return out;
  }
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("FilteredIndex", FilteredIndex::Init(env));
  exports.Set("CustomBuilder", CustomBuilder::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(filtered_hnsw, Init)
