//! Statistics (filled in below).
