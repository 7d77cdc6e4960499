// header_test.cpp - group_inference.h compiles as C++ (extern "C", no C-only
// constructs) and a C++ host can drive a session with lambdas and RAII.
#include <group_inference.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

struct SessionDeleter {
    void operator()(gi_session *s) const { gi_session_destroy(s); }
};
using Session = std::unique_ptr<gi_session, SessionDeleter>;

struct Host {
    std::vector<double> quality;
    long calls = 0;
};

int fail(const char *what) {
    std::fprintf(stderr, "header_test: %s: %s\n", what, gi_last_error());
    return 1;
}

}  // namespace

int main() {
    static_assert(sizeof(gi_options) >= 88, "gi_options 0.1 layout");
    Host host;
    for (int i = 0; i < 16; i++) host.quality.push_back(std::sin(i * 1.7) + 1.0);

    gi_options o;
    if (gi_options_init(&o, sizeof o) != GI_OK) return fail("options");
    o.num_candidates = 16;
    o.group_size = 2;
    o.num_steps = 3;
    o.lambda = 0.0;  // pure quality: the top-2 must win
    gi_session *raw = nullptr;
    if (gi_session_create(&o, &raw) != GI_OK) return fail("create");
    Session s(raw);

    gi_unary_fn quality = [](void *user, int32_t, const int32_t *ids, size_t n, double *out) -> int {
        auto *h = static_cast<Host *>(user);
        for (size_t a = 0; a < n; a++) out[a] = h->quality[static_cast<size_t>(ids[a])];
        return 0;
    };
    gi_denoise_fn denoise = [](void *user, int32_t, const int32_t *, size_t n) -> int {
        static_cast<Host *>(user)->calls += static_cast<long>(n);
        return 0;
    };
    if (gi_add_unary_scorer(s.get(), "quality", 1.0, quality, &host, nullptr, nullptr) != GI_OK) return fail("scorer");
    if (gi_set_denoiser(s.get(), denoise, &host, nullptr) != GI_OK) return fail("denoiser");
    if (gi_run(s.get()) != GI_OK) return fail("run");

    int32_t ids[2];
    size_t n = 0;
    if (gi_result_ids(s.get(), ids, 2, &n) != GI_OK || n != 2) return fail("results");
    std::vector<int> order(16);
    for (int i = 0; i < 16; i++) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return host.quality[a] > host.quality[b]; });
    int best[2] = {std::min(order[0], order[1]), std::max(order[0], order[1])};
    if (ids[0] != best[0] || ids[1] != best[1]) {
        std::fprintf(stderr, "header_test: chose %d %d, expected %d %d\n", ids[0], ids[1], best[0], best[1]);
        return 1;
    }
    gi_progress p;
    if (gi_get_progress(s.get(), &p, sizeof p) != GI_OK || p.evaluations != host.calls) return fail("progress");
    std::printf("header_test: C++ host chose %d %d with %ld model evaluations\n", ids[0], ids[1], host.calls);
    return 0;
}
