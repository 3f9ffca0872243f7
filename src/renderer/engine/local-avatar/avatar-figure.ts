import {
  EYE_CENTER_Y,
  EYE_SPACING_X,
  HEAD_PIVOT,
  LOCAL_AVATAR_PALETTE as colors,
} from './avatar-layout.ts';
import { mirrored, paintShaded, type Context2D } from './avatar-canvas.ts';

/** The figure's parts that never change shape: hair, body and head, painted once per size. */

function facePath(): Path2D {
  const path = new Path2D();
  path.moveTo(256, 112);
  path.bezierCurveTo(214, 112, 181, 140, 180, 196);
  path.bezierCurveTo(179, 238, 186, 266, 204, 290);
  path.bezierCurveTo(220, 310, 238, 321, 256, 321);
  path.bezierCurveTo(274, 321, 292, 310, 308, 290);
  path.bezierCurveTo(326, 266, 333, 238, 332, 196);
  path.bezierCurveTo(331, 140, 298, 112, 256, 112);
  path.closePath();
  return path;
}

function neckPath(): Path2D {
  const path = new Path2D();
  path.moveTo(227, 270);
  path.lineTo(285, 270);
  path.bezierCurveTo(285, 320, 288, 346, 304, 366);
  path.lineTo(208, 366);
  path.bezierCurveTo(224, 346, 227, 320, 227, 270);
  path.closePath();
  return path;
}

function backHairPath(): Path2D {
  const path = new Path2D();
  path.moveTo(170, 330);
  path.bezierCurveTo(146, 300, 138, 220, 152, 160);
  path.bezierCurveTo(166, 110, 206, 84, 256, 84);
  path.bezierCurveTo(306, 84, 346, 110, 360, 160);
  path.bezierCurveTo(374, 220, 366, 300, 342, 330);
  path.bezierCurveTo(330, 338, 312, 334, 300, 326);
  path.lineTo(212, 326);
  path.bezierCurveTo(200, 334, 182, 338, 170, 330);
  path.closePath();
  return path;
}

/** The hair over the skull: a side part on the figure's right, a fringe swept across. */
function frontHairPath(): Path2D {
  const path = new Path2D();
  // Outer silhouette, from the left temple over the crown to the right temple.
  path.moveTo(176, 214);
  path.bezierCurveTo(166, 150, 192, 88, 256, 86);
  path.bezierCurveTo(322, 88, 348, 150, 336, 214);
  // Right temple, tucked behind the ear, up to the part.
  path.bezierCurveTo(331, 178, 322, 146, 286, 126);
  // The fringe sweeps from the part down across the forehead to the left temple.
  path.bezierCurveTo(262, 150, 218, 166, 196, 168);
  path.bezierCurveTo(188, 180, 184, 198, 176, 214);
  path.closePath();
  return path;
}

function earPath(): Path2D {
  const path = new Path2D();
  path.moveTo(186, 206);
  path.bezierCurveTo(170, 194, 160, 210, 164, 228);
  path.bezierCurveTo(167, 244, 174, 256, 190, 254);
  path.closePath();
  return path;
}

/** The blazer's silhouette: neck to shoulders to arms, past the frame's bottom and sides. */
function torsoPath(): Path2D {
  const path = new Path2D();
  path.moveTo(214, 352);
  path.bezierCurveTo(180, 372, 120, 384, 82, 398);
  path.bezierCurveTo(44, 412, 28, 448, 22, 500);
  path.lineTo(16, 700);
  path.lineTo(496, 700);
  path.lineTo(490, 500);
  path.bezierCurveTo(484, 448, 468, 412, 430, 398);
  path.bezierCurveTo(392, 384, 332, 372, 298, 352);
  path.closePath();
  return path;
}

function lapelPath(): Path2D {
  const path = new Path2D();
  path.moveTo(216, 356);
  path.lineTo(190, 376);
  path.lineTo(200, 398);
  path.lineTo(180, 410);
  path.lineTo(244, 530);
  path.lineTo(254, 530);
  path.bezierCurveTo(240, 470, 226, 420, 224, 372);
  path.closePath();
  return path;
}

function collarPath(): Path2D {
  const path = new Path2D();
  path.moveTo(222, 352);
  path.bezierCurveTo(216, 368, 212, 384, 208, 406);
  path.lineTo(236, 396);
  path.lineTo(252, 420);
  path.bezierCurveTo(246, 398, 236, 376, 232, 360);
  path.closePath();
  return path;
}

// ---------------------------------------------------------------------------------------------
// Static layers.

export function paintBackHair(context: Context2D): void {
  const hair = backHairPath();
  // Darker towards the nape, where the head shades the hair.
  const depth = context.createLinearGradient(0, 150, 0, 334);
  depth.addColorStop(0, colors.hair);
  depth.addColorStop(1, colors.hairShadow);
  paintShaded(context, hair, depth, (shaded) => {
    shaded.lineCap = 'round';
    shaded.strokeStyle = colors.hairHighlight;
    shaded.globalAlpha = 0.45;
    shaded.lineWidth = 3;
    shaded.beginPath();
    shaded.moveTo(158, 180);
    shaded.bezierCurveTo(150, 230, 154, 280, 172, 322);
    shaded.stroke();
    shaded.lineWidth = 2;
    shaded.beginPath();
    shaded.moveTo(168, 200);
    shaded.bezierCurveTo(162, 240, 166, 290, 184, 326);
    shaded.stroke();
    shaded.strokeStyle = colors.hairShadow;
    shaded.globalAlpha = 0.6;
    shaded.beginPath();
    shaded.moveTo(352, 190);
    shaded.bezierCurveTo(358, 240, 354, 290, 336, 326);
    shaded.stroke();
  });
}

export function paintBody(context: Context2D): void {
  // Blazer collar standing behind the neck.
  context.fillStyle = colors.blazerShadow;
  context.beginPath();
  context.moveTo(204, 376);
  context.bezierCurveTo(210, 348, 226, 332, 256, 332);
  context.bezierCurveTo(286, 332, 302, 348, 308, 376);
  context.closePath();
  context.fill();

  const torso = torsoPath();
  paintShaded(context, torso, colors.blazer, (shaded) => {
    // Soft light across the shoulders, darker towards the arms' undersides.
    const light = shaded.createLinearGradient(0, 380, 0, 520);
    light.addColorStop(0, 'rgba(131, 60, 102, 0.9)');
    light.addColorStop(1, 'rgba(131, 60, 102, 0)');
    shaded.fillStyle = light;
    shaded.fillRect(-700, 340, 1912, 400);
    // Sleeves' seams.
    shaded.strokeStyle = colors.blazerShadow;
    shaded.lineWidth = 3;
    shaded.lineCap = 'round';
    mirrored(shaded, () => {
      shaded.beginPath();
      shaded.moveTo(96, 404);
      shaded.bezierCurveTo(110, 440, 116, 480, 112, 560);
      shaded.stroke();
    });
  });

  const neck = neckPath();
  paintShaded(context, neck, colors.skin, (shaded) => {
    // The jaw's shadow on the neck, and a side shadow away from the light (upper left).
    shaded.fillStyle = colors.skinShadow;
    shaded.beginPath();
    shaded.moveTo(200, 270);
    shaded.lineTo(312, 270);
    shaded.lineTo(312, 300);
    shaded.bezierCurveTo(292, 326, 274, 338, 256, 338);
    shaded.bezierCurveTo(238, 338, 220, 326, 200, 300);
    shaded.closePath();
    shaded.fill();
    const side = shaded.createLinearGradient(262, 0, 300, 0);
    side.addColorStop(0, 'rgba(217, 150, 122, 0)');
    side.addColorStop(1, 'rgba(196, 123, 99, 0.75)');
    shaded.fillStyle = side;
    shaded.fillRect(256, 270, 60, 110);
  });

  // Blouse between the lapels, open at the neck.
  context.fillStyle = colors.blouse;
  context.beginPath();
  context.moveTo(212, 366);
  context.lineTo(300, 366);
  context.lineTo(268, 530);
  context.lineTo(244, 530);
  context.closePath();
  context.fill();
  context.fillStyle = colors.skin;
  context.beginPath();
  context.moveTo(226, 360);
  context.lineTo(286, 360);
  context.bezierCurveTo(280, 382, 266, 404, 256, 414);
  context.bezierCurveTo(246, 404, 232, 382, 226, 360);
  context.closePath();
  context.fill();
  // A small pendant on a fine chain.
  context.strokeStyle = colors.chain;
  context.lineWidth = 1.2;
  context.beginPath();
  context.moveTo(232, 362);
  context.quadraticCurveTo(256, 400, 280, 362);
  context.stroke();
  context.fillStyle = colors.pendant;
  context.beginPath();
  context.arc(256, 384, 3.2, 0, 2 * Math.PI);
  context.fill();

  mirrored(context, () => {
    // Blouse collar over the blazer, then the lapel.
    context.fillStyle = colors.blouse;
    context.fill(collarPath());
    context.strokeStyle = colors.blouseShadow;
    context.lineWidth = 1.5;
    context.lineJoin = 'round';
    context.stroke(collarPath());
    const lapel = lapelPath();
    paintShaded(context, lapel, colors.blazerShadow, (shaded) => {
      shaded.fillStyle = colors.blazerHighlight;
      shaded.beginPath();
      shaded.moveTo(180, 410);
      shaded.lineTo(244, 530);
      shaded.lineTo(226, 530);
      shaded.lineTo(176, 418);
      shaded.closePath();
      shaded.globalAlpha = 0.55;
      shaded.fill();
    });
  });
}

export function paintHead(context: Context2D): void {
  const face = facePath();

  // Ears (the right one mirrored), with an inner fold.
  mirrored(context, () => {
    const ear = earPath();
    context.fillStyle = colors.skin;
    context.fill(ear);
    context.strokeStyle = colors.skinShadow;
    context.lineWidth = 2.2;
    context.lineCap = 'round';
    context.beginPath();
    context.moveTo(182, 214);
    context.bezierCurveTo(172, 208, 168, 222, 172, 232);
    context.bezierCurveTo(175, 240, 180, 242, 184, 240);
    context.stroke();
  });

  paintShaded(context, face, colors.skin, (shaded) => {
    // Shade away from the light (upper left): a crescent along the right cheek and jaw.
    const crescent = new Path2D();
    crescent.rect(150, 100, 220, 240);
    crescent.addPath(face, { a: 1, b: 0, c: 0, d: 1, e: -9, f: -5 });
    shaded.fillStyle = 'rgba(217, 150, 122, 0.75)';
    shaded.fill(crescent, 'evenodd');
    // Under the jaw line.
    const jaw = shaded.createLinearGradient(0, 292, 0, 322);
    jaw.addColorStop(0, 'rgba(217, 150, 122, 0)');
    jaw.addColorStop(1, 'rgba(217, 150, 122, 0.55)');
    shaded.fillStyle = jaw;
    shaded.fillRect(180, 292, 160, 32);
    // The hair's shadow on the forehead.
    shaded.translate(3, 7);
    shaded.fillStyle = 'rgba(196, 123, 99, 0.55)';
    shaded.fill(frontHairPath());
    shaded.translate(-3, -7);
    // Cheeks.
    mirrored(shaded, () => {
      const blush = shaded.createRadialGradient(212, 252, 2, 212, 252, 24);
      blush.addColorStop(0, 'rgba(236, 143, 134, 0.55)');
      blush.addColorStop(1, 'rgba(236, 143, 134, 0)');
      shaded.fillStyle = blush;
      shaded.fillRect(184, 224, 56, 56);
    });
  });

  // Upper-lid creases.
  context.strokeStyle = 'rgba(196, 123, 99, 0.7)';
  context.lineWidth = 1.6;
  context.lineCap = 'round';
  mirrored(context, () => {
    const centerX = HEAD_PIVOT.x - EYE_SPACING_X;
    context.beginPath();
    context.moveTo(centerX - 15, EYE_CENTER_Y - 8);
    context.quadraticCurveTo(centerX, EYE_CENTER_Y - 20, centerX + 14, EYE_CENTER_Y - 9);
    context.stroke();
  });

  // Nose: a shaded side and a soft base.
  context.strokeStyle = 'rgba(217, 150, 122, 0.9)';
  context.lineWidth = 2.2;
  context.beginPath();
  context.moveTo(263, 226);
  context.bezierCurveTo(266, 236, 269, 244, 266, 251);
  context.stroke();
  context.fillStyle = 'rgba(196, 123, 99, 0.4)';
  context.beginPath();
  context.ellipse(257, 255, 11, 4, 0, 0, 2 * Math.PI);
  context.fill();
  context.strokeStyle = colors.skinDeepShadow;
  context.lineWidth = 1.8;
  context.beginPath();
  context.moveTo(248, 253);
  context.quadraticCurveTo(256, 258, 265, 253);
  context.stroke();
}

export function paintFrontHair(context: Context2D): void {
  const hair = frontHairPath();
  paintShaded(context, hair, colors.hair, (shaded) => {
    // Sheen along the crown and strands following the sweep.
    shaded.strokeStyle = colors.hairHighlight;
    shaded.lineCap = 'round';
    shaded.lineWidth = 7;
    shaded.globalAlpha = 0.55;
    shaded.beginPath();
    shaded.moveTo(196, 140);
    shaded.bezierCurveTo(214, 106, 262, 96, 296, 108);
    shaded.stroke();
    shaded.lineWidth = 2;
    shaded.globalAlpha = 0.6;
    for (const offset of [0, 12, 24]) {
      shaded.beginPath();
      shaded.moveTo(284, 118 + offset * 0.4);
      shaded.bezierCurveTo(262, 136 + offset * 0.5, 230, 150 + offset * 0.6, 196 + offset, 160);
      shaded.stroke();
    }
    shaded.globalAlpha = 1;
    shaded.strokeStyle = colors.hairShadow;
    shaded.globalAlpha = 0.7;
    shaded.lineWidth = 1.6;
    shaded.beginPath();
    shaded.moveTo(290, 90);
    shaded.quadraticCurveTo(292, 110, 286, 126);
    shaded.stroke();
  });
}

// ---------------------------------------------------------------------------------------------
// Per-frame parts: eyes, brows, mouth. Drawn in head space, on top of the cached head.
