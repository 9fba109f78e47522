//! Reading inputs: files, directories and stdin; YAML and JSON; multi-document streams and
//! `List` objects; every object keeps where it came from.

pub mod yaml;
