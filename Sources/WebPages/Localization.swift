import Foundation

/// The pages' languages: English, French and Spanish. The envelope's `language` metadata wins,
/// else the browser's `Accept-Language`, else English.
enum Language: String, Sendable, CaseIterable {
    case en, fr, es

    /// The envelope's language if it names one of ours, else the best of `Accept-Language`.
    static func choose(envelope: String?, acceptLanguage: String?) -> Language {
        if let envelope, let language = Language(rawValue: envelope.lowercased().prefix(2).description) { return language }
        let ranked = (acceptLanguage ?? "").split(separator: ",").compactMap { item -> (Language, Double)? in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, let language = Language(rawValue: String(tag.lowercased().prefix(2))) else { return nil }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (language, quality)
        }
        return ranked.max { $0.1 < $1.1 }?.0 ?? .en
    }

    /// Every string of the pages in this language, by key (for templates: `{{t.key}}`).
    var strings: [String: String] {
        let column = Language.allCases.firstIndex(of: self)!
        return Language.table.mapValues { $0[column] }
    }

    /// One string, with `%@`-style arguments replaced in order.
    func text(_ key: String, _ arguments: String...) -> String {
        var value = strings[key] ?? key
        for argument in arguments {
            guard let range = value.range(of: "%@") else { break }
            value.replaceSubrange(range, with: argument)
        }
        return value
    }

    /// key → [English, French, Spanish].
    static let table: [String: [String]] = [
        "skip": ["Skip to main content", "Aller au contenu principal", "Ir al contenido principal"],
        "from": ["From", "De", "De"],
        "message": ["Message", "Message", "Mensaje"],
        "documents": ["Documents", "Documents", "Documentos"],
        "page": ["page", "page", "página"],
        "pages": ["pages", "pages", "páginas"],
        "deadline": ["Please act by", "À signer avant le", "Actúe antes del"],
        "consent_title": ["Electronic records and signatures", "Documents et signatures électroniques",
                          "Registros y firmas electrónicos"],
        "consent_text": ["Disclosure text", "Texte de l’avis", "Texto del aviso"],
        "consent_intro": ["Before you continue, read this disclosure (version %@).",
                          "Avant de continuer, lisez cet avis (version %@).", "Antes de continuar, lea este aviso (versión %@)."],
        "consent_agree": ["I agree to use electronic records and signatures", "J’accepte les documents et signatures électroniques",
                          "Acepto usar registros y firmas electrónicos"],
        "continue": ["Continue", "Continuer", "Continuar"],
        "decline": ["Decline to sign", "Refuser de signer", "Rechazar la firma"],
        "auth_title": ["Confirm it is you", "Confirmez votre identité", "Confirme su identidad"],
        "otp_intro": ["We will e-mail a 6-digit code to %@.", "Nous enverrons un code à 6 chiffres à %@.",
                      "Enviaremos un código de 6 dígitos a %@."],
        "otp_send": ["E-mail me a code", "M’envoyer un code", "Enviarme un código"],
        "otp_resend": ["Send a new code", "Envoyer un nouveau code", "Enviar un código nuevo"],
        "otp_sent": ["A code was sent to %@. It is valid for 10 minutes.", "Un code a été envoyé à %@. Il est valable 10 minutes.",
                     "Se envió un código a %@. Es válido durante 10 minutos."],
        "otp_label": ["One-time code", "Code à usage unique", "Código de un solo uso"],
        "access_intro": ["Enter the access code the sender gave you.", "Saisissez le code d’accès donné par l’expéditeur.",
                         "Introduzca el código de acceso que le dio el remitente."],
        "access_label": ["Access code", "Code d’accès", "Código de acceso"],
        "attempts_left": ["Attempts left: %@", "Essais restants : %@", "Intentos restantes: %@"],
        "locked_otp": ["Too many wrong codes. Send a new code to try again.", "Trop de codes erronés. Demandez un nouveau code.",
                       "Demasiados códigos erróneos. Solicite un código nuevo."],
        "locked_access": ["Too many wrong access codes. Ask the sender to send the envelope again.",
                          "Trop de codes d’accès erronés. Demandez à l’expéditeur de renvoyer l’enveloppe.",
                          "Demasiados códigos erróneos. Pida al remitente que reenvíe el sobre."],
        "verify": ["Verify", "Vérifier", "Verificar"],
        "review_title": ["Review and sign", "Relire et signer", "Revisar y firmar"],
        "zoom": ["Zoom", "Zoom", "Zoom"],
        "next_field": ["Next required field", "Champ obligatoire suivant", "Siguiente campo obligatorio"],
        "all_filled": ["All required fields are filled.", "Tous les champs obligatoires sont remplis.",
                       "Todos los campos obligatorios están completos."],
        "page_of": ["Page %@ of %@", "Page %@ sur %@", "Página %@ de %@"],
        "page_image": ["Page %@ of %@ of %@", "Page %@ sur %@ de %@", "Página %@ de %@ de %@"],
        "page_text": ["Text of page %@", "Texte de la page %@", "Texto de la página %@"],
        "your_fields": ["Your fields", "Vos champs", "Sus campos"],
        "required": ["required", "obligatoire", "obligatorio"],
        "choose": ["Choose…", "Choisir…", "Elegir…"],
        "save_fields": ["Save fields", "Enregistrer les champs", "Guardar campos"],
        "saved_fields": ["Your fields are saved.", "Vos champs sont enregistrés.", "Sus campos se han guardado."],
        "saved_signature": ["Your signature is adopted; it is placed in the document when you sign.",
                            "Votre signature est adoptée ; elle sera placée dans le document quand vous signerez.",
                            "Su firma está adoptada; se colocará en el documento cuando firme."],
        "date_auto": ["Filled in automatically when you sign", "Rempli automatiquement à la signature",
                      "Se completa automáticamente al firmar"],
        "signature": ["Your signature", "Votre signature", "Su firma"],
        "signature_box": ["Signature of %@", "Signature de %@", "Firma de %@"],
        "field_box": ["%@ for %@", "%@ pour %@", "%@ para %@"],
        "adopt": ["Adopt your signature", "Adopter votre signature", "Adoptar su firma"],
        "change": ["Change signature", "Changer de signature", "Cambiar la firma"],
        "adopted": ["Your adopted signature", "Votre signature adoptée", "Su firma adoptada"],
        "type_title": ["Type it", "La saisir", "Escribirla"],
        "type_label": ["Your full name", "Votre nom complet", "Su nombre completo"],
        "font_legend": ["Style (each shows your name as it will be signed)", "Style (chacun montre votre nom tel qu’il sera signé)",
                        "Estilo (cada uno muestra su nombre tal como se firmará)"],
        "font_dancing-script": ["lively script", "cursive enlevée", "cursiva desenfadada"],
        "font_kaushan-script": ["brush script", "écriture au pinceau", "trazo de pincel"],
        "font_tex-gyre-chorus": ["formal calligraphy", "calligraphie classique", "caligrafía clásica"],
        "use_typed": ["Adopt typed signature", "Adopter la signature saisie", "Adoptar la firma escrita"],
        "draw_title": ["Draw it", "La dessiner", "Dibujarla"],
        "draw_help": ["Draw with a mouse, a pen or your finger in the box.", "Dessinez dans le cadre avec la souris, un stylet ou le doigt.",
                      "Dibuje en el recuadro con el ratón, un lápiz o el dedo."],
        "draw_empty": ["Nothing is drawn yet: draw your signature in the box, then adopt it.",
                       "Rien n'est encore dessiné : dessinez votre signature dans le cadre, puis adoptez-la.",
                       "Aún no hay nada dibujado: dibuje su firma en el recuadro y luego adóptela."],
        "draw_pad": ["Signature drawing area", "Zone de dessin de la signature", "Área de dibujo de la firma"],
        "clear": ["Clear", "Effacer", "Borrar"],
        "undo": ["Undo", "Annuler", "Deshacer"],
        "use_drawn": ["Adopt drawn signature", "Adopter la signature dessinée", "Adoptar la firma dibujada"],
        "draw_nojs": ["Drawing needs JavaScript; type or upload your signature instead.",
                      "Le dessin demande JavaScript ; saisissez ou importez votre signature.",
                      "Dibujar requiere JavaScript; escriba o suba su firma."],
        "upload_title": ["Upload an image", "Importer une image", "Subir una imagen"],
        "upload_label": ["Signature image (PNG, at most 1 MB)", "Image de signature (PNG, 1 Mo au plus)",
                         "Imagen de la firma (PNG, 1 MB como máximo)"],
        "use_upload": ["Adopt uploaded signature", "Adopter l’image importée", "Adoptar la imagen subida"],
        "initials_note": ["Your initials fields are filled from this signature's name.",
                          "Vos champs d’initiales sont remplis à partir du nom de cette signature.",
                          "Sus campos de iniciales se rellenan con el nombre de esta firma."],
        "confirm_title": ["Sign", "Signer", "Firmar"],
        "confirm_text": ["By selecting Sign, I agree that the signature above is the electronic representation of my signature, as binding as a handwritten one.",
                         "En sélectionnant Signer, j’accepte que la signature ci-dessus soit la représentation électronique de ma signature, aussi engageante qu’une signature manuscrite.",
                         "Al seleccionar Firmar, acepto que la firma anterior es la representación electrónica de mi firma, tan vinculante como una manuscrita."],
        "confirm_check": ["I have reviewed the document and agree to sign it", "J’ai relu le document et j’accepte de le signer",
                          "He revisado el documento y acepto firmarlo"],
        "sign": ["Sign", "Signer", "Firmar"],
        "approve_text": ["By selecting Approve, I approve this document.", "En sélectionnant Approuver, j’approuve ce document.",
                         "Al seleccionar Aprobar, apruebo este documento."],
        "approve": ["Approve", "Approuver", "Aprobar"],
        "later": ["Finish later", "Terminer plus tard", "Terminar más tarde"],
        "later_title": ["Your progress is saved", "Votre progression est enregistrée", "Su progreso está guardado"],
        "later_text": ["Come back with the link in your e-mail before %@.", "Revenez avec le lien de votre e-mail avant le %@.",
                       "Vuelva con el enlace de su correo antes del %@."],
        "back": ["Back to the document", "Retour au document", "Volver al documento"],
        "decline_title": ["Decline to sign", "Refuser de signer", "Rechazar la firma"],
        "decline_text": ["Declining ends the envelope for everyone. The sender and the other recipients are told your reason.",
                         "Refuser met fin à l’enveloppe pour tous. L’expéditeur et les autres destinataires verront votre motif.",
                         "Rechazar termina el sobre para todos. El remitente y los demás destinatarios verán su motivo."],
        "decline_reason": ["Reason", "Motif", "Motivo"],
        "decline_confirm": ["Decline", "Refuser", "Rechazar"],
        "done_title": ["Thank you", "Merci", "Gracias"],
        "done_signed": ["You have finished. We will e-mail you when everyone has signed.",
                        "Vous avez terminé. Nous vous écrirons quand tout le monde aura signé.",
                        "Ha terminado. Le escribiremos cuando todos hayan firmado."],
        "done_complete": ["Everyone has signed. Download the completed document:",
                          "Tout le monde a signé. Téléchargez le document complet :",
                          "Todos han firmado. Descargue el documento completo:"],
        "done_complete_elsewhere": ["Everyone has signed. The sealed documents were e-mailed to the signers; to download them here, open this link in the browser you signed in.",
                                    "Tout le monde a signé. Les documents scellés ont été envoyés par e-mail aux signataires ; pour les télécharger ici, ouvrez ce lien dans le navigateur où vous avez signé.",
                                    "Todos han firmado. Los documentos sellados se enviaron por correo electrónico a los firmantes; para descargarlos aquí, abra este enlace en el navegador en el que firmó."],
        "download": ["Download %@", "Télécharger %@", "Descargar %@"],
        "declined_title": ["Declined", "Refusé", "Rechazado"],
        "declined_text": ["This envelope was declined; nothing more can be signed.",
                          "Cette enveloppe a été refusée ; plus rien ne peut être signé.",
                          "Este sobre fue rechazado; ya no se puede firmar nada."],
        "declined_own_reason": ["Your reason, sent to the sender: %@", "Votre motif, transmis à l’expéditeur : %@",
                                "Su motivo, enviado al remitente: %@"],
        "voided_title": ["Voided", "Annulée", "Anulado"],
        "voided_text": ["The sender voided this envelope: %@", "L’expéditeur a annulé cette enveloppe : %@",
                        "El remitente anuló este sobre: %@"],
        "expired_title": ["Expired", "Expirée", "Caducado"],
        "expired_text": ["This envelope expired. Ask the sender for a new one.", "Cette enveloppe a expiré. Demandez-en une nouvelle à l’expéditeur.",
                         "Este sobre caducó. Pida uno nuevo al remitente."],
        "completed_title": ["Completed", "Terminée", "Completado"],
        "invalid_title": ["This link does not work", "Ce lien ne fonctionne pas", "Este enlace no funciona"],
        "invalid_text": ["The link is incomplete or unknown. Copy the whole link from the e-mail (it may run over two lines), or ask the sender for a new one.",
                         "Le lien est incomplet ou inconnu. Copiez le lien entier depuis le courriel (il peut tenir sur deux lignes), ou demandez-en un nouveau à l’expéditeur.",
                         "El enlace está incompleto o es desconocido. Copie el enlace completo del correo (puede ocupar dos líneas) o pida uno nuevo al remitente."],
        "error_title": ["Something needs your attention", "Un point demande votre attention", "Algo requiere su atención"],
        "waiting_text": ["It is not your turn yet; we will e-mail you when it is.", "Ce n’est pas encore votre tour ; nous vous écrirons.",
                         "Aún no es su turno; le escribiremos cuando lo sea."],
        "session_text": ["Open the link from your e-mail again to continue.", "Rouvrez le lien de votre e-mail pour continuer.",
                         "Vuelva a abrir el enlace de su correo para continuar."],
    ]
}
