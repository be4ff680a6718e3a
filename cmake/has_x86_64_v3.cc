// Exits 0 when this CPU runs x86-64-v3 code (AVX2, FMA, BMI2), so the build may target it.
int main() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
  return v3 ? 0 : 1;
#else
  return 1;
#endif
}
