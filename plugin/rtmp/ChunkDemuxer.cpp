#include "ChunkDemuxer.hpp"
// Implementation pending (goaway-ingest / protocol core work).
