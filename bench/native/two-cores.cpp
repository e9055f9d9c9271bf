// A native reference for bench/threads.ts: are two CPUs two cores? Each thread runs the same
// register-only multiply-add loop (eight independent f32x4 chains, as an SGEMM micro-kernel);
// two threads do twice the work, so scaling = 2 * t(1 thread) / t(2 threads): about 2 on two
// cores, far less on two hyperthreads of one core (they share its vector units).
//   g++ -O3 -march=native -pthread bench/native/two-cores.cpp -o /tmp/two-cores && /tmp/two-cores
#include <pthread.h>
#include <chrono>
#include <cstdio>
#include <immintrin.h>
static const long ITERS = 200000000;
static float sink[64];
static void* work(void* p) {
  long id = (long)p;
  __m128 acc[8]; for (int i = 0; i < 8; i++) acc[i] = _mm_set1_ps(0.001f * i);
  __m128 a = _mm_set1_ps(0.999f), b = _mm_set1_ps(0.001f);
  for (long it = 0; it < ITERS / 8; it++) {
    for (int i = 0; i < 8; i++) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
  }
  __m128 s = acc[0]; for (int i = 1; i < 8; i++) s = _mm_add_ps(s, acc[i]);
  _mm_storeu_ps(&sink[id * 4], s);
  return nullptr;
}
static double run(int threads) {
  auto t0 = std::chrono::steady_clock::now();
  pthread_t ts[4];
  for (long t = 0; t < threads; t++) pthread_create(&ts[t], nullptr, work, (void*)t);
  for (int t = 0; t < threads; t++) pthread_join(ts[t], nullptr);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
int main() {
  // Same work per thread: two threads do twice the work; scaling = 2 * t1 / t2.
  double best1 = 1e9, best2 = 1e9;
  for (int r = 0; r < 7; r++) { double t1 = run(1), t2 = run(2); if (t1 < best1) best1 = t1; if (t2 < best2) best2 = t2;
    printf("round %d: 1 thread %.3f s, 2 threads %.3f s, scaling %.2f\n", r, t1, t2, 2 * t1 / t2); }
  printf("best: scaling %.2f (1 thread %.3f s, 2 threads %.3f s)\n", 2 * best1 / best2, best1, best2);
}
