//! QR codes of `qrContent`: the module matrix (encoded by the `qrcode` crate, error correction
//! level M), drawn as an SVG for the dashboard and as Unicode half blocks for a terminal.
//!
//! ```
//! use nicepay_snap_simulator::qr::QrMatrix;
//! let qr = QrMatrix::encode("00020101021226...6304ABCD").unwrap();
//! assert!(qr.to_svg().starts_with("<svg"));
//! assert_eq!(qr.half_block_lines().len(), (qr.width() + 2 * QrMatrix::TERMINAL_QUIET_ZONE + 1) / 2);
//! ```

use std::fmt::Write as _;

use crate::error::SimulatorError;

/// The dark and light modules of one QR code (without its quiet zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Light modules around the code in the SVG (the 4 the QR standard asks for).
    pub const SVG_QUIET_ZONE: usize = 4;
    /// Light modules around the code in the terminal (2: scanners cope, the terminal stays small).
    pub const TERMINAL_QUIET_ZONE: usize = 2;

    /// Encodes `text` (byte mode as needed, error correction M); too long a text is an error.
    pub fn encode(text: &str) -> Result<Self, SimulatorError> {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| SimulatorError::InvalidInput(format!("cannot encode a QR code: {e}")))?;
        let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
        Ok(Self {
            width: code.width(),
            dark,
        })
    }

    /// A matrix from its modules, row by row (`dark.len()` must be `width * width`).
    pub fn from_modules(width: usize, dark: Vec<bool>) -> Option<Self> {
        (dark.len() == width.checked_mul(width)?).then_some(Self { width, dark })
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark; outside the code (the quiet zone) it
    /// is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The code as a standalone SVG: one unit per module, [`Self::SVG_QUIET_ZONE`] light
    /// modules around it, every dark module a `M{x} {y}h1v1h-1z` square of one path.
    pub fn to_svg(&self) -> String {
        let side = self.width + 2 * Self::SVG_QUIET_ZONE;
        let mut path = String::new();
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    let _ = write!(
                        path,
                        "M{} {}h1v1h-1z",
                        x + Self::SVG_QUIET_ZONE,
                        y + Self::SVG_QUIET_ZONE
                    );
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
             shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{path}\"/></svg>"
        )
    }

    /// The code as lines of Unicode half blocks, two module rows per line, with
    /// [`Self::TERMINAL_QUIET_ZONE`] light modules around it. A **light** module is drawn (the
    /// block in the foreground colour), a dark one left blank: print the lines light on dark
    /// (e.g. `\x1b[97;40m` … `\x1b[0m`) so that any terminal theme shows dark on light.
    pub fn half_block_lines(&self) -> Vec<String> {
        let q = Self::TERMINAL_QUIET_ZONE;
        let side = self.width + 2 * q;
        // In terminal coordinates (quiet zone included); past the bottom counts as dark (blank).
        let light = |x: usize, y: usize| y < side && !(x >= q && y >= q && self.is_dark(x - q, y - q));
        (0..side)
            .step_by(2)
            .map(|y| {
                (0..side)
                    .map(|x| match (light(x, y), light(x, y + 1)) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads half-block lines back into a matrix (quiet zone stripped).
    fn from_half_blocks(lines: &[String], width: usize) -> QrMatrix {
        let q = QrMatrix::TERMINAL_QUIET_ZONE;
        let side = width + 2 * q;
        let mut light = vec![vec![false; side]; side + 1];
        for (row, line) in lines.iter().enumerate() {
            for (x, c) in line.chars().enumerate() {
                let (top, bottom) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected {other:?}"),
                };
                light[2 * row][x] = top;
                light[2 * row + 1][x] = bottom;
            }
        }
        for (y, row) in light.iter().enumerate().take(side) {
            for (x, &is_light) in row.iter().enumerate() {
                let in_code = (q..q + width).contains(&x) && (q..q + width).contains(&y);
                assert!(in_code || is_light, "quiet zone at {x},{y} is dark");
            }
        }
        let dark = (0..width)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| !light[y + q][x + q])
            .collect();
        QrMatrix::from_modules(width, dark).unwrap()
    }

    #[test]
    fn half_blocks_round_trip_to_the_same_modules() {
        for text in [
            "x",
            "00020101021226570011ID.CO.NICEPAY.WWW01189360000000000000016304ABCD",
        ] {
            let qr = QrMatrix::encode(text).unwrap();
            let lines = qr.half_block_lines();
            let side = qr.width() + 2 * QrMatrix::TERMINAL_QUIET_ZONE;
            assert_eq!(lines.len(), side.div_ceil(2));
            assert!(lines.iter().all(|l| l.chars().count() == side));
            assert_eq!(from_half_blocks(&lines, qr.width()), qr);
        }
    }

    #[test]
    fn too_long_a_text_is_an_error_not_a_panic() {
        assert!(QrMatrix::encode(&"9".repeat(10_000)).is_err());
        assert!(QrMatrix::from_modules(3, vec![true; 8]).is_none());
    }
}
