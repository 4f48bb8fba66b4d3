// jobs.cpp - gameplay work handed to the job system.
#include <engine/scope.hpp>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace gameplay {

struct Agent {
    float x, y;
    int target;
};

struct Batch {
    Agent *agents;
    std::size_t count;
};

static void think_batch(void *arg) {
    auto *b = static_cast<Batch *>(arg);
    for (std::size_t i = 0; i < b->count; ++i)
        b->agents[i].target = static_cast<int>(i);
}

void think(Engine *e, std::vector<Agent> &agents) {
    engine::FrameScope frame(e);
    auto *batch = engine::scratch_array<Batch>(e, 1);
    if (!batch)
        return;
    batch->agents = agents.data();
    batch->count = agents.size();
    engine::Jobs::run_raw(think_batch, batch); // FINDING: thread-crossing
    engine::Jobs::wait();
}

void think_heap(Engine *e, std::vector<Agent> &agents) {
    engine::FrameScope frame(e);
    auto *batch = new Batch{agents.data(), agents.size()};
    float *scratch = engine::scratch_array<float>(e, agents.size() + 1);
    if (scratch)
        scratch[0] = 0.0f;
    engine::Jobs::run_raw(think_batch, batch);
    engine::Jobs::wait();
    delete batch;
}

void think_lambda(Engine *e, std::vector<Agent> &agents) {
    engine::FrameScope frame(e);
    float *weights = engine::scratch_array<float>(e, agents.size() + 1);
    if (!weights)
        return;
    std::memset(weights, 0, (agents.size() + 1) * sizeof(float));
    std::vector<float> copy(weights, weights + agents.size());
    engine::Jobs::run([copy, &agents] {
        for (std::size_t i = 0; i < agents.size() && i < copy.size(); ++i)
            agents[i].x += copy[i];
    });
    engine::Jobs::run([weights] { (void)weights[0]; }); // FINDING: thread-crossing
    engine::Jobs::wait();
}

void think_thread(Engine *e, std::vector<Agent> &agents) {
    engine::FrameScope frame(e);
    Agent *tmp = engine::scratch_array<Agent>(e, agents.size() + 1);
    if (!tmp)
        return;
    std::thread worker([tmp] { tmp[0].target = 1; }); // FINDING: thread-crossing
    worker.join();
}

} // namespace gameplay
