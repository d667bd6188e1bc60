#include <cstdio>
// Relies on <cstdint> arriving transitively, as older libstdc++ did.
static uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
int main() {
  uint32_t h = 2166136261u;
  for (const char *p = "bq2"; *p; ++p) h = rotl(h ^ static_cast<unsigned char>(*p), 5);
  std::printf("%08x\n", h);
  return 0;
}
