//! The PNG seal picture draws ASCII (the USCC under the star, Latin letters in names):
//! the committed font has the glyphs, so two different codes give different pixels, and
//! a code gives pixels where a picture without it has none.

use deltaseal::seal::picture::{png_picture, PictureSpec};

/// The RGBA pixels and width of a PNG.
fn pixels(png_bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut r = png::Decoder::new(png_bytes).read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (buf, info.width as usize)
}

fn render(organisation: &str, code: &str) -> (Vec<u8>, usize) {
    let pic = png_picture(&PictureSpec::new(organisation, code), 150).unwrap();
    pixels(&pic.data)
}

/// Opaque pixels in the rows `from..to` (fractions of the height).
fn inked(p: &(Vec<u8>, usize), from: f64, to: f64) -> usize {
    let (buf, w) = p;
    let h = buf.len() / 4 / w;
    let rows = (h as f64 * from) as usize..(h as f64 * to) as usize;
    rows.flat_map(|y| (0..*w).map(move |x| (y * w + x) * 4 + 3))
        .filter(|&i| buf[i] > 128)
        .count()
}

#[test]
fn ascii_under_the_star_is_drawn_in_the_png() {
    let none = render("上海示例科技有限公司", "");
    let code = render("上海示例科技有限公司", "91310000MA1FL8XQ37");
    let other = render("上海示例科技有限公司", "12345678901234567X");
    // the band under the star, where the code goes
    let band = (0.70, 0.86);
    assert!(
        inked(&code, band.0, band.1) > inked(&none, band.0, band.1) + 100,
        "the code adds ink: {} vs {}",
        inked(&code, band.0, band.1),
        inked(&none, band.0, band.1)
    );
    assert_ne!(
        code.0, other.0,
        "two codes are two pictures, not the same boxes"
    );
}

#[test]
fn latin_letters_in_the_name_are_drawn_in_the_png() {
    let a = render("ACME 示例有限公司", "");
    let b = render("WXYZ 示例有限公司", "");
    assert_ne!(a.0, b.0);
}
