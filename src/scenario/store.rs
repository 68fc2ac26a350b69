//! Compiled dated parameters: every dated parameter of a scenario evaluated once
//! per projection year into a flat table, so the year loop reads numbers, never
//! parameter forms.
//!
//! Analysis (Monte Carlo, sensitivity, goal seek) copies the [`ParamValues`] of a
//! compiled model, re-evaluates the few parameters it moves, and runs the year loop
//! on the copy: no recompilation, no allocation inside the loop.

use super::param::Param;

/// Handle of one dated parameter inside a [`ParamStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParamId(pub usize);

/// Years of a projection: index 0 is the base year, the last index the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Years {
    /// First projected year (the base year, reproduced from published figures).
    pub base_year: i32,
    /// Last projected year.
    pub horizon: i32,
}

impl Years {
    /// Number of projected years, base year included.
    pub fn len(&self) -> usize {
        (self.horizon - self.base_year + 1).max(0) as usize
    }
    /// Whether there is no year to project.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Calendar year of index `t`.
    pub fn year(&self, t: usize) -> i32 {
        self.base_year + t as i32
    }
    /// Index of a calendar year, if it lies in the projection.
    pub fn index(&self, year: i32) -> Option<usize> {
        (year >= self.base_year && year <= self.horizon).then(|| (year - self.base_year) as usize)
    }
}

/// The definitions of a scenario's dated parameters, by dotted path.
#[derive(Clone, Debug)]
pub struct ParamStore {
    years: Years,
    defs: Vec<(String, Param)>,
    values: ParamValues,
}

/// The per-year values of every parameter of a [`ParamStore`], row-major by parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamValues {
    n_years: usize,
    values: Vec<f64>,
}

impl ParamValues {
    /// Value of parameter `id` in year index `t`.
    #[inline]
    pub fn get(&self, id: ParamId, t: usize) -> f64 {
        self.values[id.0 * self.n_years + t]
    }
    /// All years of parameter `id`.
    #[inline]
    pub fn row(&self, id: ParamId) -> &[f64] {
        &self.values[id.0 * self.n_years..(id.0 + 1) * self.n_years]
    }
    /// Mutable years of parameter `id`.
    #[inline]
    pub fn row_mut(&mut self, id: ParamId) -> &mut [f64] {
        &mut self.values[id.0 * self.n_years..(id.0 + 1) * self.n_years]
    }
}

impl ParamStore {
    /// An empty store for the projection years.
    pub fn new(years: Years) -> Self {
        ParamStore {
            years,
            defs: Vec::new(),
            values: ParamValues {
                n_years: years.len(),
                values: Vec::new(),
            },
        }
    }

    /// Registers a parameter under its dotted scenario path and evaluates it.
    pub fn add(&mut self, path: impl Into<String>, param: &Param) -> ParamId {
        let id = ParamId(self.defs.len());
        let start = self.values.values.len();
        self.values.values.resize(start + self.years.len(), 0.0);
        param.fill(
            self.years.base_year,
            self.years.base_year,
            &mut self.values.values[start..],
        );
        self.defs.push((path.into(), param.clone()));
        id
    }

    /// The projection years.
    pub fn years(&self) -> Years {
        self.years
    }
    /// The evaluated values.
    pub fn values(&self) -> &ParamValues {
        &self.values
    }
    /// Path and definition of a parameter.
    pub fn def(&self, id: ParamId) -> (&str, &Param) {
        let (p, d) = &self.defs[id.0];
        (p, d)
    }
    /// Finds a parameter by its dotted path.
    pub fn find(&self, path: &str) -> Option<ParamId> {
        self.defs.iter().position(|(p, _)| p == path).map(ParamId)
    }
    /// Every registered path, in registration order.
    pub fn paths(&self) -> impl Iterator<Item = (ParamId, &str)> {
        self.defs
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (ParamId(i), p.as_str()))
    }
    /// Writes the values of `param` (a replacement definition for `id`) into `into`.
    pub fn evaluate_into(&self, id: ParamId, param: &Param, into: &mut ParamValues) {
        param.fill(self.years.base_year, self.years.base_year, into.row_mut(id));
    }
}
