//! Streaming UTF-16 -> UTF-8 adapter, so the CSV parser sees UTF-8.

use std::io::{self, Read};

use encoding_rs::{Decoder, UTF_16BE, UTF_16LE};

pub(crate) struct Utf16Reader<R> {
    inner: R,
    dec: Decoder,
    input: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub(crate) fn new(inner: R, big_endian: bool) -> Self {
        let enc = if big_endian { UTF_16BE } else { UTF_16LE };
        Utf16Reader {
            inner,
            dec: enc.new_decoder_without_bom_handling(),
            input: vec![0; 16 * 1024],
            out: Vec::new(),
            pos: 0,
            eof: false,
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            self.eof = n == 0;
            let max = self.dec.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.resize(max, 0);
            let (_, _, written, _) =
                self.dec
                    .decode_to_utf8(&self.input[..n], &mut self.out, self.eof);
            self.out.truncate(written);
            self.pos = 0;
        }
        let k = buf.len().min(self.out.len() - self.pos);
        buf[..k].copy_from_slice(&self.out[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}
