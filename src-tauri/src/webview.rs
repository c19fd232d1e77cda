//! The webview's settings for a device with little memory. Njia is one page that never
//! navigates: WebKit's caches for a browser (pages kept for back and forward, decoded
//! resources kept for the next visit) only hold memory here. Accelerated compositing keeps
//! a texture per layer (about 80 MiB more in the web process, measured under Xvfb) for
//! animations a list and a map do not have, and is where WebKitGTK's blank-window driver
//! bugs live.

/// Tunes the window's webview. Only WebKitGTK (Linux) is tuned so far.
pub fn tune(window: &tauri::WebviewWindow) -> tauri::Result<()> {
    #[cfg(target_os = "linux")]
    window.with_webview(|platform| {
        use webkit2gtk::{
            CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
        };
        let view = platform.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_page_cache(false);
            // The map draws on 2D canvases; nothing draws with WebGL or plays media.
            settings.set_enable_webgl(false);
            settings.set_enable_media(false);
        }
    })?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}
