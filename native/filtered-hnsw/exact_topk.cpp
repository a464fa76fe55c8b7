// Exact top-k ranking of a run of contiguous float vectors in one call. Ranking row by row
// from JavaScript pays a native call per row (simsimd), which costs more than the distance
// itself: the exact strategy of a filtered search over a few thousand 784-dimensional rows
// spent most of its time in call overhead. Here one call ranks a whole chunk (optionally
// only the positions set in a bitmap) and returns the best `cap` positions; the caller
// re-ranks those with pgvector's exact kernel, so only the ranking uses these kernels.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace {

__attribute__((target_clones("avx2", "default"))) float l2sq(float const* x, float const* y, std::size_t n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; i++) {
    float d = x[i] - y[i];
    s += d * d;
  }
  return s;
}

__attribute__((target_clones("avx2", "default"))) float negative_dot(float const* x, float const* y, std::size_t n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; i++) s += x[i] * y[i];
  return -s;
}

// cosine distance; NaN for a zero vector, as pgvector (it ranks last)
__attribute__((target_clones("avx2", "default"))) float cosine(float const* x, float const* y, std::size_t n) {
  float ab = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : ab, aa, bb)
  for (std::size_t i = 0; i < n; i++) {
    ab += x[i] * y[i];
    aa += x[i] * x[i];
    bb += y[i] * y[i];
  }
  if (aa == 0 || bb == 0) return NAN;
  return 1 - ab / std::sqrt(aa * bb);
}

using Entry = std::pair<float, int32_t>;  // (distance with NaN as +inf, position)

// max-heap order: the worst kept entry on top; ties by the larger position
bool better(Entry const& a, Entry const& b) { return a.first < b.first || (a.first == b.first && a.second < b.second); }

// rankTopK(data: Float32Array, dim, query: Float32Array, metric: 0 l2 | 1 ip | 2 cosine,
//          cap, from, to, base, allowed?: Uint8Array)
// ranks rows [from, to) of `data` (row r is position base + r; with `allowed`, only positions
// whose bit is set) and returns { positions: Int32Array, distances: Float64Array }, best first.
Napi::Value RankTopK(Napi::CallbackInfo const& info) {
  Napi::Env env = info.Env();
  auto data = info[0].As<Napi::Float32Array>();
  auto dim = static_cast<std::size_t>(info[1].As<Napi::Number>().Int64Value());
  auto query = info[2].As<Napi::Float32Array>();
  int metric = info[3].As<Napi::Number>().Int32Value();
  auto cap = static_cast<std::size_t>(info[4].As<Napi::Number>().Int64Value());
  auto from = static_cast<std::size_t>(info[5].As<Napi::Number>().Int64Value());
  auto to = static_cast<std::size_t>(info[6].As<Napi::Number>().Int64Value());
  auto base = static_cast<int64_t>(info[7].As<Napi::Number>().Int64Value());
  uint8_t const* allowed = nullptr;
  std::size_t allowed_bytes = 0;
  if (info.Length() > 8 && info[8].IsTypedArray()) {
    auto bits = info[8].As<Napi::Uint8Array>();
    allowed = bits.Data();
    allowed_bytes = bits.ByteLength();
  }
  if (query.ElementLength() != dim || dim == 0 || to * dim > data.ElementLength() || from > to) {
    Napi::RangeError::New(env, "rankTopK: bad dimensions or range").ThrowAsJavaScriptException();
    return env.Null();
  }
  float (*kernel)(float const*, float const*, std::size_t) = metric == 0 ? l2sq : metric == 1 ? negative_dot : cosine;
  float const* rows = data.Data();
  float const* q = query.Data();

  std::vector<Entry> heap;
  heap.reserve(cap + 1);
  for (std::size_t r = from; r < to; r++) {
    int64_t pos = base + static_cast<int64_t>(r);
    if (allowed) {
      std::size_t byte = static_cast<std::size_t>(pos >> 3);
      if (byte >= allowed_bytes || !((allowed[byte] >> (pos & 7)) & 1)) continue;
    }
    float d = kernel(rows + r * dim, q, dim);
    Entry e{std::isnan(d) ? INFINITY : d, static_cast<int32_t>(pos)};
    if (heap.size() < cap) {
      heap.push_back(e);
      std::push_heap(heap.begin(), heap.end(), better);
    } else if (cap > 0 && better(e, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.back() = e;
      std::push_heap(heap.begin(), heap.end(), better);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), better);
  auto positions = Napi::Int32Array::New(env, heap.size());
  auto distances = Napi::Float64Array::New(env, heap.size());
  for (std::size_t i = 0; i < heap.size(); i++) {
    positions[i] = heap[i].second;
    distances[i] = heap[i].first;
  }
  auto out = Napi::Object::New(env);
  out.Set("positions", positions);
  out.Set("distances", distances);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("rankTopK", Napi::Function::New(env, RankTopK));
  return exports;
}

}  // namespace

NODE_API_MODULE(exact_topk, Init)
