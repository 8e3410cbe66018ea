//! Adapters: the I/O edges of the program (files, processes, network).

pub mod journal_file;
