// emvk-bench dispatch round trip: one invocation adds 1 to a counter, so the bench can check that
// every timed dispatch ran.
#version 450
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) buffer Counter { uint count; };

void main() { count = count + 1u; }
