//! Interop: bundles sent by the InteropCenter on a source chain and executed by the
//! InteropHandler on the destination, once their message is proven against an imported root.

pub mod abi;
pub mod bundle;
pub mod center;
pub mod fees;
pub mod handler;
pub mod recipient;
