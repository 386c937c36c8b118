import { type CSSVariablesResolver, createTheme, Menu, Modal, Notification, Tooltip } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "indigo",
  // Shade 6 of indigo under white text, or as link text on white, is below WCAG AA's 4.5:1; 8 passes.
  primaryShade: 8,
  defaultRadius: "sm",
  respectReducedMotion: true,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  fontFamilyMonospace: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
  components: {
    // Mantine's close buttons are icons alone: without a name a screen reader says only "button".
    // Dialogs and menus open inside the page's <main>, not in a portal at the end of <body>: content
    // outside every landmark is what axe's `region` rule finds (each open dialog or menu, before).
    // Both are fixed-position, so they still cover the page; a menu in a table's scroll container
    // is positioned `fixed` so that the container does not clip it.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close dialog" }, withinPortal: false } }),
    // Without the placeholder Mantine puts first in the menu (a focusable "presentation" div, which
    // axe reports as a child a menu may not have: aria-required-children); focus goes to the menu.
    Menu: Menu.extend({
      defaultProps: { withinPortal: false, floatingStrategy: "fixed", withInitialFocusPlaceholder: false },
    }),
    // Tooltips likewise (a copy button's "Copied" stays up after the click).
    Tooltip: Tooltip.extend({ defaultProps: { withinPortal: false, floatingStrategy: "fixed" } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { "aria-label": "Hide notification" } },
      styles: { description: { color: "var(--mantine-color-gray-7)" } },
    }),
  },
});

// Mantine's dimmed grey, error red and the primary colour's text on its light tint (the active
// navigation link, light buttons, hovered or not) fall short of WCAG AA contrast (4.5:1): darker
// shades keep the same look and pass.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
    "--mantine-color-anchor": "var(--mantine-color-indigo-8)",
    "--mantine-color-indigo-light-color": "var(--mantine-color-indigo-9)",
    "--mantine-color-indigo-light": "var(--mantine-color-indigo-0)",
    "--mantine-color-indigo-light-hover": "var(--mantine-color-indigo-1)",
  },
  dark: {},
});
