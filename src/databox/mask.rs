//! Status masks written as Phraseanet writes them: one character per bit, bit 0 RIGHTMOST,
//! `1` set, `0` clear, `x` either. `1x0xxxx` means bit 4 is 0 and bit 6 is 1. The same mask
//! filters records (`phr-record list --status`) and changes them (`x` leaves a bit alone).

use std::fmt;
use std::str::FromStr;

/// A parsed mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusMask {
    /// Bits that must be (or become) 1.
    pub ones: u32,
    /// Bits that must be (or become) 0.
    pub zeros: u32,
}

impl StatusMask {
    /// Whether `status` has every bit the mask fixes.
    pub fn matches(self, status: u32) -> bool {
        status & self.ones == self.ones && status & self.zeros == 0
    }

    /// `status` with the mask's bits set and cleared, the others left alone.
    pub fn apply(self, status: u32) -> u32 {
        (status | self.ones) & !self.zeros
    }
}

impl FromStr for StatusMask {
    type Err = String;

    fn from_str(text: &str) -> Result<StatusMask, String> {
        let t = text.trim();
        if t.is_empty() || t.len() > 32 {
            return Err(format!("bad status mask {text:?}: 1 to 32 characters of 0, 1 and x, bit 0 rightmost"));
        }
        let mut mask = StatusMask::default();
        for (bit, c) in t.chars().rev().enumerate() {
            match c {
                '1' => mask.ones |= 1 << bit,
                '0' => mask.zeros |= 1 << bit,
                'x' | 'X' => {}
                other => return Err(format!("bad status mask {text:?}: {other:?} is not 0, 1 or x")),
            }
        }
        Ok(mask)
    }
}

/// A status as 32 characters, bit 0 rightmost, as Phraseanet shows it.
pub struct Bits(pub u32);

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032b}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_0_is_the_rightmost_character() {
        let m: StatusMask = "1x0xxxx".parse().unwrap_or_default();
        assert_eq!(m, StatusMask { ones: 1 << 6, zeros: 1 << 4 });
        assert!(m.matches(0b100_0000));
        assert!(!m.matches(0b101_0000));
        assert_eq!(m.apply(0b001_0001), 0b100_0001);
        assert!("12".parse::<StatusMask>().is_err());
        assert!("".parse::<StatusMask>().is_err());
        assert_eq!(Bits(5).to_string(), format!("{}101", "0".repeat(29)));
    }
}
