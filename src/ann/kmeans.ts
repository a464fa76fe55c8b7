/**
 * IVFFlat's k-means, ported from pgvector's ivfkmeans.c: k-means++ initialisation, then
 * Elkan's algorithm (triangle-inequality bounds, up to 500 iterations). As in pgvector, L2
 * indexes cluster with the L2 distance (not squared: Elkan needs a metric), inner-product
 * and cosine indexes run spherical k-means (angular distance, centers normalised after
 * every update; cosine samples are normalised before, by the caller).
 *
 * Pure computation over Float32Arrays: it runs in a build worker thread.
 */
import simsimd from 'simsimd';

/** How the index clusters: 'l2' (<->), 'spherical' (<#> and <=>). */
export type KmeansKind = 'l2' | 'spherical';

const FLT_MAX = 3.4028234663852886e38;

/** mulberry32: seeded so that a build is reproducible (pgvector uses its global PRNG). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function l2Distance(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const d = a[ao + i] - b[bo + i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** pgvector's vector_spherical_distance: acos of the (clamped) dot product, over π. */
function sphericalDistance(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let dp = 0;
  for (let i = 0; i < dim; i++) dp += a[ao + i] * b[bo + i];
  return acosOverPi(dp);
}

function acosOverPi(dp: number): number {
  if (dp > 1) dp = 1;
  else if (dp < -1) dp = -1;
  return Math.acos(dp) / Math.PI;
}

/** from this many dimensions one SIMD call (simsimd) beats a JS loop, N-API call included */
const SIMD_MIN_DIMS = 32;

type Distance = typeof l2Distance;

function distanceFor(kind: KmeansKind, dim: number): Distance {
  if (dim < SIMD_MIN_DIMS) return kind === 'l2' ? l2Distance : sphericalDistance;
  if (kind === 'l2') return (a, ao, b, bo, d) => Math.sqrt(simsimd.sqeuclidean(a.subarray(ao, ao + d), b.subarray(bo, bo + d)));
  return (a, ao, b, bo, d) => acosOverPi(simsimd.inner(a.subarray(ao, ao + d), b.subarray(bo, bo + d)));
}

/** Normalise each of `count` vectors in place (a zero vector stays zero). */
export function normalizeRows(data: Float32Array, count: number, dim: number): void {
  for (let i = 0; i < count; i++) {
    const o = i * dim;
    let n = 0;
    for (let j = 0; j < dim; j++) n += data[o + j] * data[o + j];
    if (n === 0) continue;
    const inv = 1 / Math.sqrt(n);
    for (let j = 0; j < dim; j++) data[o + j] *= inv;
  }
}

/** Random centers, normalised for spherical k-means (pgvector's RandomCenters: no samples). */
function randomCenters(lists: number, dim: number, kind: KmeansKind, random: () => number): Float32Array {
  const centers = new Float32Array(lists * dim);
  for (let i = 0; i < centers.length; i++) centers[i] = random();
  if (kind === 'spherical') normalizeRows(centers, lists, dim);
  return centers;
}

/**
 * `lists` centers for the `count` samples (row-major in `samples`). With no samples the
 * centers are random, as in pgvector.
 */
export function kmeans(samples: Float32Array, count: number, dim: number, lists: number, kind: KmeansKind, seed = 42): Float32Array {
  const random = seededRandom(seed);
  if (count === 0) return randomCenters(lists, dim, kind, random);
  const centers = elkan(samples, count, dim, lists, kind, random);
  checkCenters(centers, lists, dim, kind);
  return centers;
}

/**
 * k-means++ (pgvector's InitCenters): the first center uniformly at random, each next one
 * with probability proportional to the squared distance to the nearest chosen center.
 * Fills `lowerBound` (sample × center distances) on the way, as Elkan's first bounds.
 */
function initCenters(samples: Float32Array, n: number, dim: number, k: number, dist: Distance, random: () => number, lowerBound: Float32Array): Float32Array {
  const centers = new Float32Array(k * dim);
  const weight = new Float32Array(n).fill(FLT_MAX);
  const first = Math.floor(random() * n) % n;
  centers.set(samples.subarray(first * dim, first * dim + dim), 0);
  for (let i = 0; i < k; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const d = dist(samples, j * dim, centers, i * dim, dim);
      lowerBound[j * k + i] = d;
      const d2 = d * d;
      if (d2 < weight[j]) weight[j] = d2;
      sum += weight[j];
    }
    if (i + 1 === k) break;
    let choice = sum * random();
    let j = 0;
    for (; j < n - 1; j++) {
      choice -= weight[j];
      if (choice <= 0) break;
    }
    centers.set(samples.subarray(j * dim, j * dim + dim), (i + 1) * dim);
  }
  return centers;
}

/** Means of the assigned samples (an empty center gets random values), normalised if spherical. */
function computeNewCenters(samples: Float32Array, n: number, dim: number, k: number, closest: Int32Array, kind: KmeansKind, random: () => number): Float32Array {
  const agg = new Float32Array(k * dim);
  const counts = new Int32Array(k);
  for (let j = 0; j < n; j++) {
    const c = closest[j];
    counts[c]++;
    const ao = c * dim;
    const so = j * dim;
    for (let d = 0; d < dim; d++) agg[ao + d] += samples[so + d];
  }
  for (let c = 0; c < k; c++) {
    const ao = c * dim;
    if (counts[c] > 0) {
      for (let d = 0; d < dim; d++) {
        let x = agg[ao + d];
        if (x === Infinity) x = FLT_MAX;
        else if (x === -Infinity) x = -FLT_MAX;
        agg[ao + d] = x / counts[c];
      }
    } else {
      for (let d = 0; d < dim; d++) agg[ao + d] = random();
    }
  }
  if (kind === 'spherical') normalizeRows(agg, k, dim);
  return agg;
}

/**
 * Elkan's k-means (pgvector's ElkanKmeans, steps numbered as there and in the paper:
 * https://www.aaai.org/Papers/ICML/2003/ICML03-022.pdf). Long because it is one
 * algorithm whose steps share six bound arrays; split, it would only pass them around.
 */
function elkan(samples: Float32Array, n: number, dim: number, k: number, kind: KmeansKind, random: () => number): Float32Array {
  const dist = distanceFor(kind, dim);
  const lowerBound = new Float32Array(n * k);
  const upperBound = new Float32Array(n);
  const closest = new Int32Array(n);
  const s = new Float32Array(k);
  const halfcdist = new Float32Array(k * k);
  const newcdist = new Float32Array(k);
  let centers = initCenters(samples, n, dim, k, dist, random, lowerBound);

  // assign each sample to its closest initial center
  for (let j = 0; j < n; j++) {
    let min = FLT_MAX;
    let best = 0;
    for (let c = 0; c < k; c++) {
      const d = lowerBound[j * k + c];
      if (d < min) { min = d; best = c; }
    }
    upperBound[j] = min;
    closest[j] = best;
  }

  for (let iteration = 0; iteration < 500; iteration++) {
    let changes = 0;
    // Step 1: half the distances between centers, and s(c) = min over the others
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const d = 0.5 * dist(centers, a * dim, centers, b * dim, dim);
        halfcdist[a * k + b] = d;
        halfcdist[b * k + a] = d;
      }
    }
    for (let a = 0; a < k; a++) {
      let min = FLT_MAX;
      for (let b = 0; b < k; b++) if (a !== b && halfcdist[a * k + b] < min) min = halfcdist[a * k + b];
      s[a] = min;
    }
    const rjreset = iteration !== 0;
    for (let j = 0; j < n; j++) {
      // Step 2: points whose upper bound is within s(c(x)) keep their center
      if (upperBound[j] <= s[closest[j]]) continue;
      let rj = rjreset;
      for (let c = 0; c < k; c++) {
        // Step 3
        const cj = closest[j];
        if (c === cj) continue;
        if (upperBound[j] <= lowerBound[j * k + c]) continue;
        if (upperBound[j] <= halfcdist[cj * k + c]) continue;
        let dxcx: number;
        // Step 3a
        if (rj) {
          dxcx = dist(samples, j * dim, centers, cj * dim, dim);
          lowerBound[j * k + cj] = dxcx;
          upperBound[j] = dxcx;
          rj = false;
        } else {
          dxcx = upperBound[j];
        }
        // Step 3b
        if (dxcx > lowerBound[j * k + c] || dxcx > halfcdist[cj * k + c]) {
          const dxc = dist(samples, j * dim, centers, c * dim, dim);
          lowerBound[j * k + c] = dxc;
          if (dxc < dxcx) {
            closest[j] = c;
            upperBound[j] = dxc;
            changes++;
          }
        }
      }
    }
    // Step 4: new centers are the means
    const next = computeNewCenters(samples, n, dim, k, closest, kind, random);
    // Step 5: shift the lower bounds by how far each center moved
    for (let c = 0; c < k; c++) newcdist[c] = dist(centers, c * dim, next, c * dim, dim);
    for (let j = 0; j < n; j++) {
      for (let c = 0; c < k; c++) {
        const d = lowerBound[j * k + c] - newcdist[c];
        lowerBound[j * k + c] = d < 0 ? 0 : d;
      }
    }
    // Step 6
    for (let j = 0; j < n; j++) upperBound[j] += newcdist[closest[j]];
    // Step 7
    centers = next;
    if (changes === 0 && iteration !== 0) break;
  }
  return centers;
}

/** pgvector's CheckCenters: no NaN, no infinity, no zero norm for spherical centers. */
function checkCenters(centers: Float32Array, k: number, dim: number, kind: KmeansKind): void {
  for (let c = 0; c < k; c++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const x = centers[c * dim + d];
      if (Number.isNaN(x)) throw new Error('NaN detected. Please report a bug.');
      if (!Number.isFinite(x)) throw new Error('Infinite value detected. Please report a bug.');
      norm += x * x;
    }
    if (kind === 'spherical' && norm === 0) throw new Error('Zero norm detected. Please report a bug.');
  }
}
