pub mod podgen;
