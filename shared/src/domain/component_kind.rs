//! What one line of a notice's breakdown is (investment, management fee, return of capital…),
//! read from its printed label, so "how much of it was return of capital" can be summed.
use serde::{Deserialize, Serialize};

use super::Component;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    Investment,
    ManagementFee,
    FeeOffset,
    Expenses,
    ReturnOfCapital,
    RealizedGain,
    Income,
    WithholdingTax,
    CarriedInterest,
    /// A capital call netted against a distribution.
    NettedCall,
    Other,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 11] = [
        Self::Investment,
        Self::ManagementFee,
        Self::FeeOffset,
        Self::Expenses,
        Self::ReturnOfCapital,
        Self::RealizedGain,
        Self::Income,
        Self::WithholdingTax,
        Self::CarriedInterest,
        Self::NettedCall,
        Self::Other,
    ];

    /// How an answer names the kind.
    pub fn label(self) -> &'static str {
        match self {
            Self::Investment => "investments",
            Self::ManagementFee => "management fees",
            Self::FeeOffset => "management fee offsets",
            Self::Expenses => "fund expenses",
            Self::ReturnOfCapital => "return of capital",
            Self::RealizedGain => "realized gains",
            Self::Income => "income (interest and dividends)",
            Self::WithholdingTax => "withholding tax",
            Self::CarriedInterest => "carried interest",
            Self::NettedCall => "capital calls netted",
            Self::Other => "other items",
        }
    }

    /// The kind a printed label names. Order matters: "management fee offset" is an offset,
    /// not a fee; "net realized gain on sale of X" is a gain, not an investment.
    pub fn of_label(label: &str) -> Self {
        let l = label.to_lowercase();
        let has = |w: &str| l.contains(w);
        if has("offset") || has("rebate") || has("waiver") {
            Self::FeeOffset
        } else if has("management fee") {
            Self::ManagementFee
        } else if has("withholding") || has("tax") {
            Self::WithholdingTax
        } else if has("carried interest") || has("carry") || has("incentive") {
            Self::CarriedInterest
        } else if has("return of capital") || has("capital returned") || has("return of cost") {
            Self::ReturnOfCapital
        } else if (has("call") || has("contribution")) && (has("net") || has("offset")) {
            Self::NettedCall
        } else if has("gain") || has("proceeds") {
            Self::RealizedGain
        } else if has("dividend") || has("interest") || has("income") {
            Self::Income
        } else if has("expense") || has("cost") || has("legal") || has("audit") {
            Self::Expenses
        } else if has("investment") || has("acquisition") || has("follow-on") {
            Self::Investment
        } else {
            Self::Other
        }
    }
}

impl Component {
    pub fn kind(&self) -> ComponentKind {
        ComponentKind::of_label(&self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::ComponentKind::{self, *};

    #[test]
    fn printed_labels_map_to_kinds() {
        let k = ComponentKind::of_label;
        assert_eq!(k("Follow-on investment in Arcadia Payments"), Investment);
        assert_eq!(k("New investment - Helios Grid"), Investment);
        assert_eq!(
            k("Management fee for the quarter ending March 31, 2024"),
            ManagementFee
        );
        assert_eq!(k("Management fee offset (transaction fees)"), FeeOffset);
        assert_eq!(
            k("Partnership expenses (legal, audit and administration)"),
            Expenses
        );
        assert_eq!(k("Return of capital (Cobalt Health)"), ReturnOfCapital);
        assert_eq!(
            k("Net realized gain on sale of Bluefin Robotics"),
            RealizedGain
        );
        assert_eq!(k("interest and dividend income"), Income);
        assert_eq!(k("Less: state withholding tax"), WithholdingTax);
        assert_eq!(
            k("Less: carried interest to the General Partner"),
            CarriedInterest
        );
        assert_eq!(k("Capital call netted (Call No. 13)"), NettedCall);
    }
}
