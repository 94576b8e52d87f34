#pragma once
#include "../lm-cuda-emu.hpp"
