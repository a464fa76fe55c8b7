// In-graph filtered HNSW search over an index file saved by usearch (the `usearch` npm
// package's own binding has no predicate search). The index is opened as a memory-mapped
// view of the same file the segment saved, and searched with usearch's filtered_search:
// the walk goes through every node but only positions set in the caller's bitmap enter the
// result, so a selective filter still yields k matching positions in one search.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

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

class FilteredIndex : public Napi::ObjectWrap<FilteredIndex> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "FilteredIndex",
                       {InstanceMethod("search", &FilteredIndex::Search), InstanceMethod("close", &FilteredIndex::Close),
                        InstanceAccessor("size", &FilteredIndex::Size, nullptr),
                        InstanceAccessor("dimensions", &FilteredIndex::Dimensions, nullptr)});
  }

  // new FilteredIndex(path): a view of a saved index file
  explicit FilteredIndex(Napi::CallbackInfo const& info) : Napi::ObjectWrap<FilteredIndex>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "FilteredIndex(path)").ThrowAsJavaScriptException();
      return;
    }
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
    if (index_->scalar_kind() == scalar_kind_t::f32_k) {
      if (index_->metric_kind() == metric_kind_t::l2sq_k)
        index_->change_metric(metric_punned_t::stateless(dims, reinterpret_cast<std::uintptr_t>(&l2sq),
                                                         metric_punned_signature_t::array_array_size_k,
                                                         metric_kind_t::l2sq_k, scalar_kind_t::f32_k));
      else if (index_->metric_kind() == metric_kind_t::cos_k)
        index_->change_metric(metric_punned_t::stateless(dims, reinterpret_cast<std::uintptr_t>(&cosine),
                                                         metric_punned_signature_t::array_array_size_k,
                                                         metric_kind_t::cos_k, scalar_kind_t::f32_k));
    }
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
  return exports;
}

}  // namespace

NODE_API_MODULE(filtered_hnsw, Init)
