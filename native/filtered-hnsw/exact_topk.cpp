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
#include <cstring>
#include <string>
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

// The arguments both rankers take: (data: Float32Array, dim, query: Float32Array, metric,
// cap, from, to, base, allowed?: Uint8Array); false (a RangeError thrown) when they do not fit.
struct RankArgs {
  float const* rows;
  float const* query;
  std::size_t dim, cap, from, to;
  int metric;
  int64_t base;
  uint8_t const* allowed = nullptr;
  std::size_t allowed_bytes = 0;
};

bool read_rank_args(Napi::CallbackInfo const& info, char const* name, RankArgs& a) {
  auto data = info[0].As<Napi::Float32Array>();
  auto query = info[2].As<Napi::Float32Array>();
  a.dim = static_cast<std::size_t>(info[1].As<Napi::Number>().Int64Value());
  a.metric = info[3].As<Napi::Number>().Int32Value();
  a.cap = static_cast<std::size_t>(info[4].As<Napi::Number>().Int64Value());
  a.from = static_cast<std::size_t>(info[5].As<Napi::Number>().Int64Value());
  a.to = static_cast<std::size_t>(info[6].As<Napi::Number>().Int64Value());
  a.base = static_cast<int64_t>(info[7].As<Napi::Number>().Int64Value());
  if (info.Length() > 8 && info[8].IsTypedArray()) {
    auto bits = info[8].As<Napi::Uint8Array>();
    a.allowed = bits.Data();
    a.allowed_bytes = bits.ByteLength();
  }
  if (query.ElementLength() != a.dim || a.dim == 0 || a.to * a.dim > data.ElementLength() || a.from > a.to) {
    Napi::RangeError::New(info.Env(), std::string(name) + ": bad dimensions or range").ThrowAsJavaScriptException();
    return false;
  }
  a.rows = data.Data();
  a.query = query.Data();
  return true;
}

// Keeps the `cap` best entries offered: a max-heap by `less`, the worst kept on top.
template <typename E, typename Less>
void keep_best(std::vector<E>& heap, std::size_t cap, E const& e, Less less) {
  if (heap.size() < cap) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), less);
  } else if (cap > 0 && less(e, heap.front())) {
    std::pop_heap(heap.begin(), heap.end(), less);
    heap.back() = e;
    std::push_heap(heap.begin(), heap.end(), less);
  }
}

// Calls visit(r) for each row r in [from, to), or, with a bitmap, those whose position
// base + r is set. A selective filter leaves most of the bitmap zero: 64 positions are
// skipped per zero word and 8 per zero byte (testing every bit of a 60k-row segment cost
// ~60 µs, the 60 distances ~5 µs).
template <typename Visit>
void for_allowed_rows(RankArgs const& a, Visit visit) {
  if (!a.allowed) {
    for (std::size_t r = a.from; r < a.to; r++) visit(r);
    return;
  }
  int64_t const end = a.base + static_cast<int64_t>(a.to);
  for (int64_t p = a.base + static_cast<int64_t>(a.from); p < end;) {
    std::size_t const byte = static_cast<std::size_t>(p >> 3);
    if (byte >= a.allowed_bytes) break;
    if ((p & 63) == 0 && byte + 8 <= a.allowed_bytes) {
      uint64_t word;
      std::memcpy(&word, a.allowed + byte, 8);
      if (word == 0) { p += 64; continue; }
    }
    uint8_t const bits = a.allowed[byte];
    if (bits == 0) { p = static_cast<int64_t>(byte + 1) << 3; continue; }
    if ((bits >> (p & 7)) & 1) visit(static_cast<std::size_t>(p - a.base));
    p++;
  }
}

// rankTopK(data: Float32Array, dim, query: Float32Array, metric: 0 l2 | 1 ip | 2 cosine,
//          cap, from, to, base, allowed?: Uint8Array)
// ranks rows [from, to) of `data` (row r is position base + r; with `allowed`, only positions
// whose bit is set) and returns { positions: Int32Array, distances: Float64Array }, best first.
Napi::Value RankTopK(Napi::CallbackInfo const& info) {
  Napi::Env env = info.Env();
  RankArgs a;
  if (!read_rank_args(info, "rankTopK", a)) return env.Null();
  float (*kernel)(float const*, float const*, std::size_t) = a.metric == 0 ? l2sq : a.metric == 1 ? negative_dot : cosine;
  std::vector<Entry> heap;
  heap.reserve(a.cap + 1);
  for_allowed_rows(a, [&](std::size_t r) {
    float d = kernel(a.rows + r * a.dim, a.query, a.dim);
    keep_best(heap, a.cap, Entry{std::isnan(d) ? INFINITY : d, static_cast<int32_t>(a.base + static_cast<int64_t>(r))}, better);
  });
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

// pgvector's exact distances, in the summation order of src/types/vector.ts (its file
// comment: 8 float lanes, folded 8 → 4, a block of 4, 4 → 2 → 1, then the tail), each step
// computed as JavaScript does it: the product of two floats is exact in double, the sum is
// rounded to double and then to float. So the result equals accumulateL2/Ip bit for bit;
// only the call is cheaper (a 784-dimensional distance: ~2.5 µs in JS).
inline float step_l2(float acc, float x, float y) {
  float d = x - y;
  return static_cast<float>(static_cast<double>(acc) + static_cast<double>(d) * static_cast<double>(d));
}
inline float step_ip(float acc, float x, float y) {
  return static_cast<float>(static_cast<double>(acc) + static_cast<double>(x) * static_cast<double>(y));
}

template <float (*Step)(float, float, float)>
float pg_accumulate(float const* a, float const* b, std::size_t n) {
  float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) l[j] = Step(l[j], a[i + j], b[i + j]);
  float q[4];
  for (int j = 0; j < 4; j++) q[j] = l[j] + l[j + 4];
  if (i + 4 <= n) {
    for (int j = 0; j < 4; j++) q[j] = Step(q[j], a[i + j], b[i + j]);
    i += 4;
  }
  float s = (q[0] + q[2]) + (q[1] + q[3]);
  for (; i < n; i++) s = Step(s, a[i], b[i]);
  return s;
}

// the loops above are 8 independent lanes: with AVX2 the compiler runs them as one vector
__attribute__((target_clones("avx2", "default"))) float pg_l2sq(float const* a, float const* b, std::size_t n) {
  return pg_accumulate<step_l2>(a, b, n);
}
__attribute__((target_clones("avx2", "default"))) float pg_ip(float const* a, float const* b, std::size_t n) {
  return pg_accumulate<step_ip>(a, b, n);
}

// pgDistance(a: Float32Array, b: Float32Array, metric: 0 l2 | 1 negative ip | 2 cosine): what
// the SQL operator returns (the caller checks the dimensions)
Napi::Value PgDistance(Napi::CallbackInfo const& info) {
  Napi::Env env = info.Env();
  auto a = info[0].As<Napi::Float32Array>();
  auto b = info[1].As<Napi::Float32Array>();
  int metric = info[2].As<Napi::Number>().Int32Value();
  std::size_t n = std::min(a.ElementLength(), b.ElementLength());
  float const* x = a.Data();
  float const* y = b.Data();
  double r;
  if (metric == 0) {
    r = std::sqrt(static_cast<double>(pg_l2sq(x, y, n)));
  } else if (metric == 1) {
    r = -static_cast<double>(pg_ip(x, y, n));
  } else {
    double dot = pg_ip(x, y, n);
    double na = pg_ip(x, x, n);
    double nb = pg_ip(y, y, n);
    double sim = dot / std::sqrt(na * nb);
    if (sim > 1) sim = 1;
    else if (sim < -1) sim = -1;
    r = 1 - sim;
  }
  return Napi::Number::New(env, r);
}

// pgRankTopK(data, dim, query, metric, cap, from, to, base, allowed?): as rankTopK, but ranked
// by pgvector's exact distance (the kernels of pgDistance) and returning it, so the
// distances are the SQL operator's and the caller need not measure the best again. An
// exact scan used to compute a kept row's distance three times (the fast ranking here, the
// candidate heap's fast kernel, pgDistance for the final order); pgvector's kernel costs
// about what the fast one does, so ranking with it directly does one pass instead.
Napi::Value PgRankTopK(Napi::CallbackInfo const& info) {
  Napi::Env env = info.Env();
  RankArgs a;
  if (!read_rank_args(info, "pgRankTopK", a)) return env.Null();
  float const* rows = a.rows;
  float const* q = a.query;
  std::size_t const dim = a.dim;
  int const metric = a.metric;
  // cosine: the query's squared norm once (pgDistance's nb)
  double const query_norm = metric == 2 ? static_cast<double>(pg_ip(q, q, dim)) : 0;
  // the key orders like the operator: L2 by the float sum of squares (sqrt is strictly
  // increasing on it), the others by the distance itself; NaN (cosine of a zero vector) as +inf
  auto key_of = [&](float const* x) -> double {
    if (metric == 0) return static_cast<double>(pg_l2sq(x, q, dim));
    if (metric == 1) return -static_cast<double>(pg_ip(x, q, dim));
    double dot = pg_ip(x, q, dim);
    double na = pg_ip(x, x, dim);
    double sim = dot / std::sqrt(na * query_norm);
    if (sim > 1) sim = 1;
    else if (sim < -1) sim = -1;
    double r = 1 - sim;
    return std::isnan(r) ? INFINITY : r;
  };
  using Keyed = std::pair<double, int32_t>;
  auto better_keyed = [](Keyed const& x, Keyed const& y) { return x.first < y.first || (x.first == y.first && x.second < y.second); };
  std::vector<Keyed> heap;
  heap.reserve(a.cap + 1);
  for_allowed_rows(a, [&](std::size_t r) {
    keep_best(heap, a.cap, Keyed{key_of(rows + r * dim), static_cast<int32_t>(a.base + static_cast<int64_t>(r))}, better_keyed);
  });
  std::sort_heap(heap.begin(), heap.end(), better_keyed);
  auto positions = Napi::Int32Array::New(env, heap.size());
  auto distances = Napi::Float64Array::New(env, heap.size());
  for (std::size_t i = 0; i < heap.size(); i++) {
    positions[i] = heap[i].second;
    double k = heap[i].first;
    distances[i] = metric == 0 ? std::sqrt(k) : std::isinf(k) && metric == 2 ? NAN : k;
  }
  auto out = Napi::Object::New(env);
  out.Set("positions", positions);
  out.Set("distances", distances);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("rankTopK", Napi::Function::New(env, RankTopK));
  exports.Set("pgRankTopK", Napi::Function::New(env, PgRankTopK));
  exports.Set("pgDistance", Napi::Function::New(env, PgDistance));
  return exports;
}

}  // namespace

NODE_API_MODULE(exact_topk, Init)
