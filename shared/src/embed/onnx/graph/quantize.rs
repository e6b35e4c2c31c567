//! The int8 products of the encoder graph: weights quantised per column at load, each token's
//! activations per row at run time.
use super::*;

impl Graph<'_> {
    /// `input · Wᵀ` with W as 7-bit integers and one scale per output column, and each token's
    /// activations as integers with a scale of their own (symmetric, stored as u8 around 128).
    /// ONNX Runtime's `DynamicQuantizeMatMul` takes one scale for the whole input tensor, so a
    /// token's vector would depend on the other texts of its pass and on their padding; one scale
    /// per row keeps every text's vector its own and gives small-valued tokens their full range.
    pub(super) fn quantized_dense(
        &mut self,
        input: &str,
        layer: &str,
        (out, inp): (usize, usize),
        output: &str,
    ) -> Result<(), String> {
        let name = format!("{layer}.weight");
        let (_, values) = self.linear(&name, (out, inp))?;
        let (q, scales) = quantize_columns(&values, inp, out);
        let (qname, sname) = (format!("{name}.int8"), format!("{name}.scale"));
        self.initializers.push(TensorProto {
            dims: vec![inp as i64, out as i64],
            data_type: DATA_INT8,
            name: qname.clone(),
            raw_data: q.iter().map(|&v| v as u8).collect(),
        });
        self.push_f32(&sname, &[out], &scales);
        self.row_constants(inp, out);

        let t = |part: &str| format!("{output}.{part}");
        self.node(
            "Reshape",
            "",
            &[input, &format!("rows_of_{inp}")],
            &t("rows"),
            vec![],
        );
        self.node("Abs", "", &[&t("rows")], &t("abs"), vec![]);
        let axes = ints_attr("axes", &[1]);
        self.node("ReduceMax", "", &[&t("abs")], &t("amax"), vec![axes]);
        self.node("Div", "", &[&t("amax"), "act_levels"], &t("scale0"), vec![]);
        // An all-zero row would divide by zero; any positive scale quantises it to zeros.
        self.node("Max", "", &[&t("scale0"), "act_tiny"], &t("scale"), vec![]);
        self.node(
            "Reshape",
            "",
            &[&t("scale"), "flat"],
            &t("scale_flat"),
            vec![],
        );
        self.node("Shape", "", &[&t("scale_flat")], &t("n"), vec![]);
        self.node(
            "Expand",
            "",
            &["act_zero_point", &t("n")],
            &t("zps"),
            vec![],
        );
        self.node(
            "QuantizeLinear",
            "",
            &[&t("rows"), &t("scale_flat"), &t("zps")],
            &t("q"),
            vec![int_attr("axis", 0)],
        );
        self.node(
            "MatMulInteger",
            "",
            &[&t("q"), &qname, "act_zero_point"],
            &t("acc"),
            vec![],
        );
        self.node(
            "Cast",
            "",
            &[&t("acc")],
            &t("accf"),
            vec![int_attr("to", DATA_FLOAT as i64)],
        );
        self.node(
            "Mul",
            "",
            &[&t("accf"), &t("scale")],
            &t("row_scaled"),
            vec![],
        );
        self.node(
            "Mul",
            "",
            &[&t("row_scaled"), &sname],
            &t("flat_out"),
            vec![],
        );
        self.node(
            "Reshape",
            "",
            &[&t("flat_out"), &format!("tokens_by_{out}")],
            output,
            vec![],
        );
        Ok(())
    }

    /// The shapes and constants the per-row products share, added once per width.
    fn row_constants(&mut self, inp: usize, out: usize) {
        let have = |g: &Self, n: &str| {
            g.initializers.iter().any(|t| t.name == n)
                || g.nodes.iter().any(|x| x.output.iter().any(|o| o == n))
        };
        if !have(self, "act_levels") {
            self.push_f32("act_levels", &[], &[ACT_LIMIT]);
            self.push_f32("act_tiny", &[], &[f32::MIN_POSITIVE]);
            self.constant_i64("flat", &[-1]);
            self.initializers.push(TensorProto {
                dims: vec![],
                data_type: DATA_UINT8,
                name: "act_zero_point".into(),
                raw_data: vec![ACT_ZERO_POINT],
            });
        }
        let rows = format!("rows_of_{inp}");
        if !have(self, &rows) {
            self.constant_i64(&rows, &[-1, inp as i64]);
        }
        let tokens = format!("tokens_by_{out}");
        if !have(self, &tokens) {
            let width = format!("width_{out}");
            self.constant_i64(&width, &[out as i64]);
            let inputs = ["ids_shape", width.as_str()];
            self.node("Concat", "", &inputs, &tokens, vec![int_attr("axis", 0)]);
        }
    }
}

/// Largest magnitude of a 7-bit weight: 8-bit weights can overflow the int16 pair sums of
/// AVX2's `vpmaddubsw`, which ONNX Runtime uses where VNNI is missing.
const INT8_LIMIT: f32 = 63.0;

/// Largest magnitude of a token's quantised activation, stored as `128 ± 127` in a u8.
const ACT_LIMIT: f32 = 127.0;
const ACT_ZERO_POINT: u8 = 128;

/// Symmetric per-column quantisation of a row-major `[rows, cols]` matrix: the int8 values and
/// one scale per column (`w ≈ q · scale`).
fn quantize_columns(w: &[f32], rows: usize, cols: usize) -> (Vec<i8>, Vec<f32>) {
    let mut scales = vec![0f32; cols];
    for r in 0..rows {
        for (c, s) in scales.iter_mut().enumerate() {
            *s = s.max(w[r * cols + c].abs());
        }
    }
    for s in &mut scales {
        *s = if *s > 0.0 { *s / INT8_LIMIT } else { 1.0 };
    }
    let q = w
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            (v / scales[i % cols])
                .round()
                .clamp(-INT8_LIMIT, INT8_LIMIT) as i8
        })
        .collect();
    (q, scales)
}

#[cfg(test)]
mod quantize_tests {
    use super::quantize_columns;

    #[test]
    fn columns_keep_their_largest_weight_exactly_and_the_rest_within_half_a_step() {
        let w = [0.5, -2.0, 0.25, 1.0, -0.126, 0.0];
        let (q, scales) = quantize_columns(&w, 2, 3);
        assert_eq!(q[1], -63);
        assert_eq!(q[2], 63);
        for (i, &v) in w.iter().enumerate() {
            let back = q[i] as f32 * scales[i % 3];
            assert!(
                (back - v).abs() <= scales[i % 3] / 2.0 + 1e-6,
                "{v} → {back}"
            );
        }
        let (_, zero) = quantize_columns(&[0.0, 0.0], 2, 1);
        assert_eq!(zero, [1.0]);
    }
}
