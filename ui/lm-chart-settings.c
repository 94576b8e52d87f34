/* lm-chart-settings.c: shared chart settings (see lm-chart-settings.h). */
#include "lm-chart-settings.h"

#include <string.h>

struct _LmChartSettings
{
  GObject parent_instance;
  double smoothing;
  LmXAxis x_axis;
  gboolean ignore_outliers;
  LmTooltipSort tooltip_sort;
  gboolean step_selection;
  gboolean link_by_step;
  LmStepSelection linked;     /* the last selection a card made */
  LmStepSelection shown;      /* what linked cards show (get_linked_steps) */
  LmStepSelection shown_any;  /* ... whatever the axis (get_linked_steps_any_axis) */
};

enum {
  PROP_0,
  PROP_SMOOTHING,
  PROP_X_AXIS,
  PROP_IGNORE_OUTLIERS,
  PROP_TOOLTIP_SORT,
  PROP_STEP_SELECTION,
  PROP_LINK_BY_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_LINKED_STEPS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LmChartSettings, lm_chart_settings, G_TYPE_OBJECT)

gboolean
lm_chart_settings_steps_linked (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), FALSE);
  return self->link_by_step && self->step_selection && self->x_axis == LM_X_STEP;
}

/* The linked selection follows the last selection and the settings that
 * put the link in effect; the cards hear of it once it changed. */
static void
update_linked (LmChartSettings *self)
{
  LmStepSelection none = { 0 };
  LmStepSelection shown = lm_chart_settings_steps_linked (self) ? self->linked : none;
  LmStepSelection any = self->link_by_step && self->step_selection ? self->linked : none;

  if (lm_step_selection_equal (&shown, &self->shown) && lm_step_selection_equal (&any, &self->shown_any))
    return;
  self->shown = shown;
  self->shown_any = any;
  g_signal_emit (self, signals[SIGNAL_LINKED_STEPS_CHANGED], 0);
}

static void
lm_chart_settings_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LmChartSettings *self = LM_CHART_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SMOOTHING:
      g_value_set_double (value, self->smoothing);
      break;
    case PROP_X_AXIS:
      g_value_set_int (value, self->x_axis);
      break;
    case PROP_IGNORE_OUTLIERS:
      g_value_set_boolean (value, self->ignore_outliers);
      break;
    case PROP_TOOLTIP_SORT:
      g_value_set_int (value, self->tooltip_sort);
      break;
    case PROP_STEP_SELECTION:
      g_value_set_boolean (value, self->step_selection);
      break;
    case PROP_LINK_BY_STEP:
      g_value_set_boolean (value, self->link_by_step);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lm_chart_settings_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LmChartSettings *self = LM_CHART_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SMOOTHING:
      lm_chart_settings_set_smoothing (self, g_value_get_double (value));
      break;
    case PROP_X_AXIS:
      lm_chart_settings_set_x_axis (self, g_value_get_int (value));
      break;
    case PROP_IGNORE_OUTLIERS:
      lm_chart_settings_set_ignore_outliers (self, g_value_get_boolean (value));
      break;
    case PROP_TOOLTIP_SORT:
      lm_chart_settings_set_tooltip_sort (self, g_value_get_int (value));
      break;
    case PROP_STEP_SELECTION:
      lm_chart_settings_set_step_selection (self, g_value_get_boolean (value));
      break;
    case PROP_LINK_BY_STEP:
      lm_chart_settings_set_link_by_step (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lm_chart_settings_class_init (LmChartSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = lm_chart_settings_get_property;
  object_class->set_property = lm_chart_settings_set_property;
  properties[PROP_SMOOTHING] =
    g_param_spec_double ("smoothing", NULL, NULL, 0.0, 0.999, LM_DEFAULT_SMOOTHING, rw);
  properties[PROP_X_AXIS] =
    g_param_spec_int ("x-axis", NULL, NULL, LM_X_STEP, LM_X_WALL, LM_X_STEP, rw);
  properties[PROP_IGNORE_OUTLIERS] =
    g_param_spec_boolean ("ignore-outliers", NULL, NULL, FALSE, rw);
  properties[PROP_TOOLTIP_SORT] =
    g_param_spec_int ("tooltip-sort", NULL, NULL, LM_TOOLTIP_SORT_DEFAULT, LM_TOOLTIP_SORT_NEAREST,
                      LM_TOOLTIP_SORT_DEFAULT, rw);
  properties[PROP_STEP_SELECTION] =
    g_param_spec_boolean ("step-selection", NULL, NULL, TRUE, rw);
  /* TensorBoard's "Link by step" is off by default */
  properties[PROP_LINK_BY_STEP] =
    g_param_spec_boolean ("link-by-step", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_LINKED_STEPS_CHANGED] =
    g_signal_new ("linked-steps-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_chart_settings_init (LmChartSettings *self)
{
  self->smoothing = LM_DEFAULT_SMOOTHING;
  self->x_axis = LM_X_STEP;
  self->step_selection = TRUE;
}

LmChartSettings *
lm_chart_settings_new (void)
{
  return g_object_new (LM_TYPE_CHART_SETTINGS, NULL);
}

double
lm_chart_settings_get_smoothing (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), 0);
  return self->smoothing;
}

void
lm_chart_settings_set_smoothing (LmChartSettings *self, double weight)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  weight = CLAMP (weight, 0.0, 0.999);
  if (self->smoothing == weight)
    return;
  self->smoothing = weight;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
}

LmXAxis
lm_chart_settings_get_x_axis (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), LM_X_STEP);
  return self->x_axis;
}

void
lm_chart_settings_set_x_axis (LmChartSettings *self, LmXAxis axis)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  if (self->x_axis == axis)
    return;
  self->x_axis = axis;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_AXIS]);
  update_linked (self);
}

gboolean
lm_chart_settings_get_ignore_outliers (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), FALSE);
  return self->ignore_outliers;
}

void
lm_chart_settings_set_ignore_outliers (LmChartSettings *self, gboolean ignore)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  ignore = !!ignore;
  if (self->ignore_outliers == ignore)
    return;
  self->ignore_outliers = ignore;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IGNORE_OUTLIERS]);
}

LmTooltipSort
lm_chart_settings_get_tooltip_sort (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), LM_TOOLTIP_SORT_DEFAULT);
  return self->tooltip_sort;
}

void
lm_chart_settings_set_tooltip_sort (LmChartSettings *self, LmTooltipSort sort)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  g_return_if_fail (sort >= LM_TOOLTIP_SORT_DEFAULT && sort <= LM_TOOLTIP_SORT_NEAREST);
  if (self->tooltip_sort == sort)
    return;
  self->tooltip_sort = sort;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOLTIP_SORT]);
}

gboolean
lm_chart_settings_get_step_selection (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), FALSE);
  return self->step_selection;
}

void
lm_chart_settings_set_step_selection (LmChartSettings *self, gboolean enabled)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  enabled = !!enabled;
  if (self->step_selection == enabled)
    return;
  self->step_selection = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_SELECTION]);
  update_linked (self);
}

gboolean
lm_chart_settings_get_link_by_step (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), FALSE);
  return self->link_by_step;
}

void
lm_chart_settings_set_link_by_step (LmChartSettings *self, gboolean linked)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  linked = !!linked;
  if (self->link_by_step == linked)
    return;
  self->link_by_step = linked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_BY_STEP]);
  update_linked (self);
}

void
lm_chart_settings_set_linked_steps (LmChartSettings *self, const LmStepSelection *sel)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self));
  self->linked = lm_step_selection_normalize (sel);
  update_linked (self);
}

LmStepSelection
lm_chart_settings_get_linked_steps (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), (LmStepSelection) { 0 });
  return self->shown;
}

LmStepSelection
lm_chart_settings_get_linked_steps_any_axis (LmChartSettings *self)
{
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (self), (LmStepSelection) { 0 });
  return self->shown_any;
}

void
lm_chart_settings_copy_from (LmChartSettings *self, LmChartSettings *other)
{
  g_return_if_fail (LM_IS_CHART_SETTINGS (self) && LM_IS_CHART_SETTINGS (other));
  for (guint i = 1; i < N_PROPS; i++)
    {
      GValue v = G_VALUE_INIT;
      const char *name = g_param_spec_get_name (properties[i]);

      g_object_get_property (G_OBJECT (other), name, &v);
      g_object_set_property (G_OBJECT (self), name, &v);
      g_value_unset (&v);
    }
}

gboolean
lm_x_axis_from_string (const char *name, LmXAxis *axis)
{
  if (g_strcmp0 (name, "step") == 0)
    *axis = LM_X_STEP;
  else if (g_strcmp0 (name, "relative") == 0)
    *axis = LM_X_RELATIVE;
  else if (g_strcmp0 (name, "wall") == 0)
    *axis = LM_X_WALL;
  else
    return FALSE;
  return TRUE;
}
